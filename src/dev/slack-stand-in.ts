// A Slack Web API stand-in for the offline demo and the tests (not used in production paths).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeLocal, listenLocal, readBody, sendJson } from './local-server.js';

/**
 * Speaks Slack's Web API wire format (docs.slack.dev): form-encoded or JSON POSTs to /api/<method>,
 * bearer tokens, `{ok: false, error}` answers with HTTP 200, HTTP 429 + Retry-After for rate limits,
 * and the three-step external file upload used by files.uploadV2.
 */
export interface SlackCall {
  method: string;
  token: string | undefined;
  args: Record<string, unknown>;
}
export interface StandInMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown;
  thread_ts?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  files?: { id: string; name: string; title?: string }[];
}
export interface SlackFault {
  method: string;
  /** a Slack error code (HTTP 200, ok: false) … */
  error?: string;
  /** … or an HTTP status (429 with Retry-After; 5xx with an HTML page) */
  status?: number;
  retryAfter?: number;
  /** … or do the work and never answer (a lost answer: the client times out after Slack acted) */
  swallow?: boolean;
  times: number;
}

export class SlackStandIn {
  readonly calls: SlackCall[] = [];
  readonly uploads = new Map<string, { filename: string; bytes: Buffer; title?: string; channel?: string }>();
  /**
   * Every message in the workspace's channels, in posting order: chat.postMessage posts (with their
   * metadata) and the messages files.completeUploadExternal shares files with (in a thread when
   * given thread_ts). conversations.history and conversations.replies read from here.
   */
  readonly messages: StandInMessage[] = [];
  /** The messages posted with chat.postMessage (not the file shares). */
  get posted(): StandInMessage[] {
    return this.messages.filter((m) => !m.files);
  }
  readonly faults: SlackFault[] = [];
  /** token → team id */
  readonly tokens = new Map<string, string>([['xoxb-standin-token', 'T0STANDIN']]);
  readonly channels = new Set<string>(['C0REPORTS', 'C0ALERTS']);
  /** Channels among `channels` that are private (conversations.info says is_private). */
  readonly privateChannels = new Set<string>();
  /** The workspaces' people: users.lookupByEmail and conversations.open find them (in their own team only). */
  readonly users: { id: string; team: string; email: string; name: string }[] = [];
  /** Direct-message channel id → the user it is with (conversations.open makes them). */
  readonly ims = new Map<string, string>();
  url = '';
  private server?: Server;
  private seq = 0;

  async start(): Promise<this> {
    const { server, origin } = await listenLocal((req, res) => void this.handle(req, res));
    this.server = server;
    this.url = `${origin}/api/`;
    return this;
  }

  async stop(): Promise<void> {
    await closeLocal(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = new URL(req.url!, 'http://x').pathname;
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => sendJson(res, status, body, headers);

    const upload = path.match(/^\/upload\/(F\w+)$/);
    if (upload) {
      const file = this.uploads.get(upload[1]!);
      if (!file) return json(404, { ok: false, error: 'file_not_found' });
      // The SDK may send the bytes raw or as multipart/form-data (as browsers do); keep the file part.
      const boundary = String(req.headers['content-type'] ?? '').match(/boundary=(?:"([^"]+)"|([^;]+))/);
      if (boundary) {
        const marker = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
        const start = raw.indexOf('\r\n\r\n', raw.indexOf(marker)) + 4;
        const end = raw.indexOf(Buffer.concat([Buffer.from('\r\n'), marker]), start);
        file.bytes = raw.subarray(start, end);
      } else file.bytes = raw;
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end(`OK - ${raw.length}`);
    }
    const m = path.match(/^\/api\/([\w.]+)$/);
    if (!m) return json(404, { ok: false, error: 'unknown_method' });
    const method = m[1]!;
    const type = String(req.headers['content-type'] ?? '');
    const args: Record<string, unknown> = type.includes('json') ? JSON.parse(raw.toString() || '{}') : Object.fromEntries(new URLSearchParams(raw.toString()));
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '') || (args.token as string | undefined);
    this.calls.push({ method, token, args });

    const fault = this.faults.find((f) => f.method === method && f.times > 0);
    if (fault?.swallow) {
      fault.times -= 1;
      // Act on the call, then hold the answer until the client gives up.
      const held = { writeHead: () => held, end: () => held, destroyed: false } as unknown as ServerResponse;
      await this.dispatch(method, args, token, held);
      return;
    }
    if (fault) {
      fault.times -= 1;
      if (fault.status === 429) return json(429, { ok: false, error: 'ratelimited' }, fault.retryAfter ? { 'retry-after': String(fault.retryAfter) } : {});
      if (fault.status) {
        // What a load balancer in front of Slack sends: an HTML error page, not JSON.
        res.writeHead(fault.status, { 'content-type': 'text/html' });
        return void res.end(`<html><body><h1>${fault.status} Bad Gateway</h1></body></html>`);
      }
      return json(200, { ok: false, error: fault.error });
    }
    await this.dispatch(method, args, token, res);
  }

  private async dispatch(method: string, args: Record<string, unknown>, token: string | undefined, res: ServerResponse): Promise<void> {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => sendJson(res, status, body, headers);
    const team = token ? this.tokens.get(token) : undefined;
    if (!team) return json(200, { ok: false, error: token ? 'invalid_auth' : 'not_authed' });

    switch (method) {
      case 'auth.test':
        return json(200, {
          ok: true,
          url: 'https://standin.slack.com/',
          team: 'Stand-in',
          user: 'aexy',
          team_id: team,
          user_id: 'U0AEXYBOT',
          bot_id: 'B0AEXY',
        });
      case 'chat.postMessage': {
        const channel = String(args.channel ?? '');
        if (!this.channels.has(channel)) return json(200, { ok: false, error: 'channel_not_found' });
        const ts = this.nextTs();
        const blocks = typeof args.blocks === 'string' ? JSON.parse(args.blocks) : args.blocks;
        const metadata = typeof args.metadata === 'string' ? JSON.parse(args.metadata) : args.metadata;
        if (metadata !== undefined && (typeof metadata?.event_type !== 'string' || typeof metadata?.event_payload !== 'object')) {
          return json(200, { ok: false, error: 'invalid_metadata_format' });
        }
        const thread = args.thread_ts ? String(args.thread_ts) : undefined;
        this.messages.push({ channel, ts, text: String(args.text ?? ''), blocks, metadata, ...(thread ? { thread_ts: thread } : {}) });
        return json(200, { ok: true, channel, ts, message: { text: args.text, ts, type: 'message', bot_id: 'B0AEXY' } });
      }
      case 'users.lookupByEmail': {
        // Exact address, case-insensitive, people of the token's own workspace only.
        const email = String(args.email ?? '').toLowerCase();
        if (!email) return json(200, { ok: false, error: 'invalid_arguments' });
        const u = this.users.find((x) => x.team === team && x.email.toLowerCase() === email);
        if (!u) return json(200, { ok: false, error: 'users_not_found' });
        return json(200, { ok: true, user: { id: u.id, team_id: u.team, name: u.name, deleted: false, is_bot: false, profile: { email: u.email } } });
      }
      case 'conversations.open': {
        // One user: the bot's direct-message channel with them, the same id every time.
        const ids = String(args.users ?? '')
          .split(',')
          .filter(Boolean);
        if (ids.length !== 1) return json(200, { ok: false, error: ids.length ? 'not_implemented' : 'users_list_not_supplied' });
        const u = this.users.find((x) => x.team === team && x.id === ids[0]);
        if (!u) return json(200, { ok: false, error: 'user_not_found' });
        const id = `D${u.id.slice(1)}`;
        this.ims.set(id, u.id);
        this.channels.add(id);
        return json(200, { ok: true, channel: { id } });
      }
      case 'conversations.info': {
        const channel = String(args.channel ?? '');
        if (!this.channels.has(channel)) return json(200, { ok: false, error: 'channel_not_found' });
        const im = this.ims.has(channel);
        return json(200, {
          ok: true,
          channel: {
            id: channel,
            is_channel: !im,
            is_im: im,
            is_private: im || this.privateChannels.has(channel),
            ...(im ? { user: this.ims.get(channel) } : {}),
          },
        });
      }
      case 'conversations.history': {
        // Newest first; oldest/latest exclusive unless inclusive; top-level messages only (thread
        // replies are read with conversations.replies); metadata only with include_all_metadata.
        const channel = String(args.channel ?? '');
        if (!this.channels.has(channel)) return json(200, { ok: false, error: 'channel_not_found' });
        const inclusive = truthy(args.inclusive);
        const oldest = args.oldest === undefined ? -Infinity : Number(args.oldest);
        const latest = args.latest === undefined ? Infinity : Number(args.latest);
        const inRange = (ts: number) => (inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest);
        const all = this.messages.filter((m) => m.channel === channel && (!m.thread_ts || m.thread_ts === m.ts) && inRange(Number(m.ts))).reverse();
        return json(200, this.page(all, args, truthy(args.include_all_metadata)));
      }
      case 'conversations.replies': {
        const channel = String(args.channel ?? '');
        if (!this.channels.has(channel)) return json(200, { ok: false, error: 'channel_not_found' });
        const parent = this.messages.find((m) => m.channel === channel && m.ts === String(args.ts));
        if (!parent) return json(200, { ok: false, error: 'thread_not_found' });
        const thread = [parent, ...this.messages.filter((m) => m.channel === channel && m.thread_ts === parent.ts && m.ts !== parent.ts)];
        return json(200, this.page(thread, args, truthy(args.include_all_metadata)));
      }
      case 'files.getUploadURLExternal': {
        const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
        this.uploads.set(id, { filename: String(args.filename), bytes: Buffer.alloc(0) });
        return json(200, { ok: true, upload_url: this.url.replace(/\/api\/$/, `/upload/${id}`), file_id: id });
      }
      case 'files.completeUploadExternal': {
        const files = (typeof args.files === 'string' ? JSON.parse(args.files) : args.files) as { id: string; title?: string }[];
        const channel = args.channel_id ? String(args.channel_id) : undefined;
        if (channel && !this.channels.has(channel)) return json(200, { ok: false, error: 'channel_not_found' });
        for (const f of files) {
          const u = this.uploads.get(f.id);
          if (!u) return json(200, { ok: false, error: 'file_not_found' });
          Object.assign(u, { title: f.title, channel });
        }
        if (channel) {
          // Sharing files posts a message carrying them, in the thread when thread_ts is given.
          const thread = args.thread_ts ? String(args.thread_ts) : undefined;
          if (thread && !this.messages.some((m) => m.channel === channel && m.ts === thread)) return json(200, { ok: false, error: 'invalid_thread_ts' });
          const shared = files.map((f) => ({ id: f.id, name: this.uploads.get(f.id)!.filename, title: f.title }));
          this.messages.push({ channel, ts: this.nextTs(), text: String(args.initial_comment ?? ''), files: shared, ...(thread ? { thread_ts: thread } : {}) });
        }
        return json(200, {
          ok: true,
          files: files.map((f) => ({ id: f.id, title: f.title, name: this.uploads.get(f.id)!.filename, permalink: `https://standin.slack.com/files/${f.id}` })),
        });
      }
      default:
        return json(200, { ok: false, error: 'unknown_method' });
    }
  }

  private nextTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`;
  }

  /** Slack's cursor pagination: `limit` (default 100, at most 999), `cursor`, `has_more`, `next_cursor`. */
  private page(all: StandInMessage[], args: Record<string, unknown>, withMetadata: boolean): Record<string, unknown> {
    const limit = Math.min(Math.max(Number(args.limit ?? 100) || 100, 1), 999);
    const start = args.cursor
      ? Number(
          Buffer.from(String(args.cursor), 'base64')
            .toString()
            .replace(/^next_ts:/, ''),
        )
      : 0;
    const slice = all.slice(start, start + limit);
    const more = start + limit < all.length;
    return {
      ok: true,
      messages: slice.map(({ channel: _c, metadata, ...m }) => ({
        type: 'message',
        bot_id: 'B0AEXY',
        ...m,
        ...(withMetadata && metadata ? { metadata } : {}),
      })),
      has_more: more,
      response_metadata: { next_cursor: more ? Buffer.from(`next_ts:${start + limit}`).toString('base64') : '' },
    };
  }
}

const truthy = (v: unknown) => v === true || v === 'true' || v === '1' || v === 1;
