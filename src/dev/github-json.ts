import type { StandInIssue, StandInUser } from './github-fixture-types.js';

/** A user as GitHub's REST API shows it inside other objects. */
export function userJson(base: string, u: StandInUser) {
  return {
    login: u.login,
    id: u.id,
    node_id: `MDQ6VXNlcj${u.id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    gravatar_id: '',
    url: `${base}/users/${u.login}`,
    html_url: `https://github.com/${u.login}`,
    type: u.type ?? 'User',
    site_admin: false,
  };
}

/** An issue as REST shows it (`GET /repos/{o}/{r}/issues`). */
export function issueJson(base: string, full: string, i: StandInIssue) {
  return {
    url: `${base}/repos/${full}/issues/${i.number}`,
    id: i.id,
    node_id: `I_${i.id}`,
    number: i.number,
    title: i.title,
    user: i.user ? userJson(base, i.user) : null,
    labels: i.labels.map((name, k) => ({ id: i.id * 100 + k, name, color: 'ededed', default: false, description: null })),
    state: i.state,
    state_reason: i.state_reason,
    locked: false,
    assignee: i.assignees[0] ? userJson(base, i.assignees[0]) : null,
    assignees: i.assignees.map((u) => userJson(base, u)),
    milestone: null,
    comments: 0,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_at: i.closed_at,
    author_association: 'MEMBER',
    body: null,
  };
}
