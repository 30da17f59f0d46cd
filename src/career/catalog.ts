import { skillKind, skillLabel } from './skills.js';

/** One recommended activity of a learning path (learning_paths.recommended_activities). */
export interface Activity {
  skill: string;
  title: string;
  description: string;
  hours_per_week: number;
  weeks: number;
  source: 'llm' | 'catalog';
}

/**
 * The built-in activity catalog: the deterministic recommendations, used when no model is configured,
 * the day's LLM budget is spent or the model keeps failing. Each activity is something the sync can
 * then see (commits, reviews, files), so the milestone it serves moves when it is done.
 */
const PRACTICE: Record<string, [string, string][]> = {
  code_review: [
    ['Review two pull requests a week', 'Pick pull requests outside your usual area; aim to leave a first review within a working day.'],
    ['Pair-review with a senior reviewer', 'Review the same pull request independently, then compare comments.'],
  ],
  testing: [
    ['Add tests to every change you ship', 'Cover the behaviour you change, including one failure case, in the same pull request.'],
    ['Raise coverage of one untested module', 'Choose a module with few tests and write the tests its next change would need.'],
  ],
  infrastructure: [
    ['Own a CI or deployment change', 'Improve a pipeline step, a container image or an environment definition end to end.'],
    ['Automate a manual operational task', 'Turn a runbook step into a script or a pipeline job, reviewed like code.'],
  ],
  documentation: [
    ['Document a component you know well', 'Write or update its README or docs page: purpose, how to run it, how to change it.'],
    ['Write a design note for your next feature', 'Describe the problem, the options and the choice before coding, and commit it.'],
  ],
  system_design: [
    ['Lead a change across several modules', 'Take a feature that touches multiple parts of the codebase from design to release.'],
    ['Refactor a cross-cutting concern', 'Consolidate logging, configuration or error handling that is repeated across modules.'],
  ],
};

const weeksFor = (gap: number) => Math.min(52, Math.max(2, Math.ceil(gap / 5) * 2));

export function catalogActivities(gaps: { skill: string; gap: number }[]): Activity[] {
  return gaps.flatMap(({ skill, gap }) => {
    const label = skillLabel(skill);
    const kind = skillKind(skill);
    const pairs: [string, string][] =
      PRACTICE[skill] ??
      (kind === 'language'
        ? [
            [`Ship a feature in ${label}`, `Take a task written in ${label} from start to merge, with its tests.`],
            [`Read and review ${label} code`, `Review ${label} pull requests by experienced colleagues and ask about the idioms you meet.`],
          ]
        : kind === 'framework'
          ? [[`Build with ${label}`, `Make a change that uses ${label} in one of the team's repositories, reviewed by someone who knows it.`]]
          : [[`Work in the ${label} area`, `Take tasks in the ${label} part of the codebase, growing from small fixes to a feature.`]]);
    return pairs.map(([title, description]) => ({ skill, title, description, hours_per_week: 3, weeks: weeksFor(gap), source: 'catalog' as const }));
  });
}
