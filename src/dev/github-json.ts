import type { StandInUser } from './github-fixture-types.js';

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
