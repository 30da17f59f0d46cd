/**
 * Frameworks and domains from file evidence: which files a developer touched says what they work
 * with. Each rule names the framework and the path pattern that proves it (manifests, config
 * files, conventional layouts), so every inference is explainable.
 */
export const FRAMEWORK_RULES: { name: string; pattern: RegExp }[] = [
  { name: 'React', pattern: /\.(jsx|tsx)$/ },
  { name: 'Next.js', pattern: /(^|\/)next\.config\.(js|mjs|ts)$/ },
  { name: 'Vue', pattern: /\.vue$/ },
  { name: 'Angular', pattern: /(^|\/)angular\.json$|\.component\.ts$/ },
  { name: 'Svelte', pattern: /\.svelte$/ },
  { name: 'Node.js', pattern: /(^|\/)package\.json$/ },
  { name: 'Django', pattern: /(^|\/)manage\.py$|(^|\/)settings\.py$|(^|\/)migrations\/\d{4}_\w+\.py$/ },
  { name: 'Flask', pattern: /(^|\/)app\.py$|(^|\/)wsgi\.py$/ },
  { name: 'Ruby on Rails', pattern: /(^|\/)config\/routes\.rb$|(^|\/)app\/(models|controllers)\/.+\.rb$/ },
  { name: 'Spring', pattern: /(^|\/)src\/main\/java\/.+\.java$|(^|\/)application\.(properties|ya?ml)$/ },
  { name: 'Maven', pattern: /(^|\/)pom\.xml$/ },
  { name: 'Gradle', pattern: /(^|\/)build\.gradle(\.kts)?$/ },
  { name: 'Go modules', pattern: /(^|\/)go\.mod$/ },
  { name: 'Cargo', pattern: /(^|\/)Cargo\.toml$/ },
  { name: 'Docker', pattern: /(^|\/)Dockerfile$|(^|\/)docker-compose\.ya?ml$/ },
  { name: 'Kubernetes', pattern: /(^|\/)(k8s|kubernetes|helm|charts)\/|(^|\/)Chart\.yaml$/ },
  { name: 'Terraform', pattern: /\.tf$/ },
  { name: 'GitHub Actions', pattern: /(^|\/)\.github\/workflows\/.+\.ya?ml$/ },
  { name: 'GraphQL', pattern: /\.(graphql|gql)$/ },
  { name: 'Prisma', pattern: /\.prisma$/ },
  { name: 'Tailwind CSS', pattern: /(^|\/)tailwind\.config\.(js|cjs|mjs|ts)$/ },
  { name: 'Jest', pattern: /(^|\/)jest\.config\.|\.test\.(js|ts|jsx|tsx)$/ },
  { name: 'Vitest', pattern: /(^|\/)vitest\.config\./ },
  { name: 'pytest', pattern: /(^|\/)test_\w+\.py$|(^|\/)conftest\.py$/ },
];

/** Domains from languages and frameworks; a developer's share of lines in each. */
export const DOMAIN_OF_LANGUAGE: Record<string, string> = {
  TypeScript: 'frontend',
  TSX: 'frontend',
  JavaScript: 'frontend',
  CSS: 'frontend',
  SCSS: 'frontend',
  HTML: 'frontend',
  Vue: 'frontend',
  Svelte: 'frontend',
  Go: 'backend',
  Java: 'backend',
  Python: 'backend',
  Ruby: 'backend',
  PHP: 'backend',
  'C#': 'backend',
  Rust: 'backend',
  Elixir: 'backend',
  Scala: 'backend',
  Kotlin: 'backend',
  C: 'systems',
  'C++': 'systems',
  Assembly: 'systems',
  Shell: 'infrastructure',
  HCL: 'infrastructure',
  Dockerfile: 'infrastructure',
  Makefile: 'infrastructure',
  YAML: 'infrastructure',
  Nix: 'infrastructure',
  SQL: 'data',
  PLpgSQL: 'data',
  R: 'data',
  'Jupyter Notebook': 'data',
  Swift: 'mobile',
  'Objective-C': 'mobile',
  Dart: 'mobile',
  Markdown: 'documentation',
  reStructuredText: 'documentation',
};

export function frameworksFromPaths(paths: { path: string; commits: number }[]): Record<string, { files: number; commits: number }> {
  const out: Record<string, { files: number; commits: number }> = {};
  for (const { path, commits } of paths) {
    for (const rule of FRAMEWORK_RULES) {
      if (rule.pattern.test(path)) {
        const f = (out[rule.name] ??= { files: 0, commits: 0 });
        f.files += 1;
        f.commits += commits;
      }
    }
  }
  return out;
}

/**
 * Seniority (documented in the README), 0-100, from observable signals only:
 *   tenure      3 × years on GitHub, capped at 30
 *   breadth     3 × distinct languages with ≥ 100 lines, capped at 18
 *   reviewing   5 × log2(1 + reviews given in 365 days), capped at 20
 *   delivery    4 × log2(1 + PRs merged in 365 days), capped at 20
 *   volume      3 × log2(1 + commits in 365 days / 10), capped at 12
 * Levels: < 25 junior, < 45 mid, < 65 senior, < 80 staff, otherwise principal.
 */
export interface Seniority {
  score: number;
  level: 'junior' | 'mid' | 'senior' | 'staff' | 'principal';
}

export function seniority(s: { tenureYears: number; languages: number; reviews: number; mergedPrs: number; commits: number }): Seniority {
  const score = Math.round(
    Math.min(30, 3 * Math.max(0, s.tenureYears)) +
      Math.min(18, 3 * s.languages) +
      Math.min(20, 5 * Math.log2(1 + s.reviews)) +
      Math.min(20, 4 * Math.log2(1 + s.mergedPrs)) +
      Math.min(12, 3 * Math.log2(1 + s.commits / 10)),
  );
  const level = score < 25 ? 'junior' : score < 45 ? 'mid' : score < 65 ? 'senior' : score < 80 ? 'staff' : 'principal';
  return { score, level };
}

/**
 * Newest sign of life of the developer whose id is the SQL expression `id` (a column such as
 * `d.id`, never a value: values are bound): a commit (merges included: merging is activity), a
 * commit they co-authored, an opened pull request or a submitted review.
 */
export const lastActivityOf = (id: string): string => `GREATEST(
  (SELECT max(committed_at) FROM commits WHERE developer_id = ${id}),
  (SELECT max(c.committed_at) FROM commit_coauthors a JOIN commits c ON c.sha = a.sha WHERE a.developer_id = ${id}),
  (SELECT max(created_at) FROM pull_requests WHERE developer_id = ${id}),
  (SELECT max(submitted_at) FROM code_reviews WHERE reviewer_id = ${id}))`;
