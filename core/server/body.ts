// Bounded request bodies. Our own routes take JSON only; the proxy takes raw bytes up to its own limit.
import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors.ts';

export const JSON_BODY_LIMIT = 256 * 1024;
export const PROXY_BODY_LIMIT = 8 * 1024 * 1024;

export function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(
      new AppError('payload_too_large', `The request body is larger than ${limit} bytes.`),
    );
  }
  // Plain events rather than an async iterator: this runs on every proxied request.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(new AppError('payload_too_large', `The request body is larger than ${limit} bytes.`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] ?? Buffer.alloc(0)) : Buffer.concat(chunks));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(
        new AppError('bad_request', `The request body could not be read (${err.message}).`, { path: 'body' }),
      );
    };
    const onAborted = (): void => {
      cleanup();
      reject(new AppError('bad_request', 'The client stopped sending the body.', { path: 'body' }));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

function isJsonType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const mime = contentType.split(';')[0]?.trim().toLowerCase();
  return mime === 'application/json';
}

/** Reads a JSON object body. Empty bodies are {} so that bodiless POSTs (lock, resume) work. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const hasBody =
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') ||
    req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return {};
  if (!isJsonType(req.headers['content-type'])) {
    throw new AppError(
      'unsupported_media_type',
      'Send the body as JSON with "content-type: application/json".',
    );
  }
  const raw = await readRaw(req, JSON_BODY_LIMIT);
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AppError('bad_request', 'The body is not valid JSON.', { path: 'body' });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AppError('bad_request', 'The body must be a JSON object.', { path: 'body' });
  }
  return parsed as Record<string, unknown>;
}
