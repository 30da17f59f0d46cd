import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring links to an export's file, served by the HTTP process (`GET /exports/:id`), so
 * the person an export was made for can fetch it from a Slack button without an account on the
 * board: `?expires=<unix seconds>&sig=<HMAC-SHA256 of the export id and the expiry>`. Anyone holding
 * the link can use it until it expires, as with any pre-signed URL: it goes only to its requester.
 */
export interface DownloadLinkSettings {
  PUBLIC_URL?: string;
  DOWNLOAD_SIGNING_SECRET?: string;
}

function signature(secret: string, parts: readonly string[], expires: number): Buffer {
  return createHmac('sha256', secret)
    .update(['aexy-download', ...parts, String(expires)].join('\n'))
    .digest();
}

function signed(settings: DownloadLinkSettings, path: string, parts: readonly string[], expiresAt: Date, query: Record<string, string> = {}): string | null {
  if (!settings.PUBLIC_URL || !settings.DOWNLOAD_SIGNING_SECRET) return null;
  const expires = Math.floor(expiresAt.getTime() / 1000);
  const sig = signature(settings.DOWNLOAD_SIGNING_SECRET, parts, expires).toString('base64url');
  const params = new URLSearchParams({ ...query, expires: String(expires), sig });
  return `${settings.PUBLIC_URL.replace(/\/+$/, '')}${path}?${params}`;
}

/** The link to an export's file, valid until `expiresAt` (the file's own expiry); null when PUBLIC_URL or the secret is not set. */
export function downloadUrl(settings: DownloadLinkSettings, exportId: string, expiresAt: Date): string | null {
  return signed(settings, `/exports/${encodeURIComponent(exportId)}`, ['export', exportId], expiresAt);
}

/** The link to a rendered report file in EXPORT_DIR (a scheduled delivery's), downloaded under `downloadName`. */
export function reportFileUrl(settings: DownloadLinkSettings, file: string, downloadName: string, expiresAt: Date): string | null {
  return signed(settings, `/reports/files/${encodeURIComponent(file)}`, ['report-file', file, downloadName], expiresAt, { as: downloadName });
}

/** 'ok', 'forged' (no valid signature for these parts and expiry: 403) or 'expired' (410). Compared in constant time. */
export function checkSigned(secret: string, parts: readonly string[], expires: unknown, sig: unknown, now = Date.now()): 'ok' | 'forged' | 'expired' {
  if (typeof expires !== 'string' || !/^\d{1,12}$/.test(expires) || typeof sig !== 'string') return 'forged';
  const expected = signature(secret, parts, Number(expires));
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged';
  return Number(expires) * 1000 <= now ? 'expired' : 'ok';
}
