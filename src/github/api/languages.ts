import * as linguist from 'linguist-languages';

/**
 * Language of a file from its path, using GitHub Linguist's own language data (the
 * linguist-languages package: extensions and file names per language), so we name languages
 * exactly as GitHub does. Ambiguous extensions (.h, .md, .rs, .m …), which Linguist settles by
 * reading file contents we do not have, are settled deterministically: widely used languages first
 * (a tie-breaker list, not a map), then the language whose primary extension it is, then by type
 * and name.
 */
type Lang = { name: string; type: string; extensions?: readonly string[]; filenames?: readonly string[] };

const TYPE_RANK: Record<string, number> = { programming: 0, markup: 1, data: 2, prose: 3 };
const POPULAR = [
  'JavaScript',
  'TypeScript',
  'TSX',
  'Python',
  'Java',
  'C#',
  'C',
  'C++',
  'Go',
  'Rust',
  'Ruby',
  'PHP',
  'Kotlin',
  'Swift',
  'Objective-C',
  'Scala',
  'Shell',
  'SQL',
  'HTML',
  'CSS',
  'Markdown',
  'Perl',
  'R',
  'Dart',
  'Elixir',
  'Haskell',
  'Lua',
  'YAML',
  'JSON',
  'XML',
  // Plain text: .txt is also an extension of "Adblock Filter List", which is far rarer.
  'Text',
];
const popularity = (name: string) => {
  const i = POPULAR.indexOf(name);
  return i === -1 ? POPULAR.length : i;
};
const byExtension = new Map<string, Lang[]>();
const byFilename = new Map<string, Lang[]>();

for (const lang of Object.values(linguist) as Lang[]) {
  if (!lang || typeof lang !== 'object' || !('name' in lang)) continue;
  for (const ext of lang.extensions ?? []) {
    const key = ext.toLowerCase();
    byExtension.set(key, [...(byExtension.get(key) ?? []), lang]);
  }
  for (const f of lang.filenames ?? []) byFilename.set(f, [...(byFilename.get(f) ?? []), lang]);
}

function pick(candidates: Lang[], ext?: string): Lang {
  return [...candidates].sort(
    (a, b) =>
      popularity(a.name) - popularity(b.name) ||
      Number(b.extensions?.[0] === ext) - Number(a.extensions?.[0] === ext) ||
      (TYPE_RANK[a.type] ?? 9) - (TYPE_RANK[b.type] ?? 9) ||
      a.name.localeCompare(b.name),
  )[0]!;
}

// Each file name's and extension's language, settled once (a sync asks for every file of every commit).
const languageOfFilename = new Map([...byFilename].map(([f, langs]) => [f, pick(langs).name]));
const languageOfExtension = new Map([...byExtension].map(([ext, langs]) => [ext, pick(langs, ext).name]));

export function detectLanguage(path: string): string | null {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const named = languageOfFilename.get(base);
  if (named) return named;
  // Longest matching extension first, so ".d.ts" or ".spec.ts" style compounds resolve sensibly.
  const lower = base.toLowerCase();
  for (let i = lower.indexOf('.'); i !== -1; i = lower.indexOf('.', i + 1)) {
    const found = languageOfExtension.get(lower.slice(i));
    if (found) return found;
  }
  return null;
}

/**
 * Vendored and generated paths, after Linguist's vendor.yml and generated.rb (the common cases):
 * their lines say nothing about a developer's skills, so they are kept in commits.files (flagged)
 * but left out of commits.languages and of profiles.
 */
const VENDORED = [
  /(^|\/)node_modules\//,
  /(^|\/)vendor\//,
  /(^|\/)third[-_]?party\//,
  /(^|\/)bower_components\//,
  /(^|\/)Pods\//,
  /(^|\/)\.yarn\//,
  /(^|\/)dist\//,
  /(^|\/)build\//,
  /\.min\.(js|css)$/,
  /(^|\/)jquery[^/]*\.js$/,
];
const GENERATED = [
  /(^|\/)package-lock\.json$/,
  /(^|\/)yarn\.lock$/,
  /(^|\/)pnpm-lock\.yaml$/,
  /(^|\/)Cargo\.lock$/,
  /(^|\/)Gemfile\.lock$/,
  /(^|\/)poetry\.lock$/,
  /(^|\/)go\.sum$/,
  /(^|\/)composer\.lock$/,
  /\.pb\.go$/,
  /_pb2\.py$/,
  /\.generated\.\w+$/,
  /\.designer\.cs$/,
  /\.map$/,
  /(^|\/)__snapshots__\//,
];

// One pass each: the patterns as one alternation.
const VENDORED_ANY = new RegExp(VENDORED.map((re) => `(?:${re.source})`).join('|'));
const GENERATED_ANY = new RegExp(GENERATED.map((re) => `(?:${re.source})`).join('|'));

export function isVendored(path: string): boolean {
  return VENDORED_ANY.test(path);
}

export function isGenerated(path: string): boolean {
  return GENERATED_ANY.test(path);
}
