// The path an agent asks the proxy for, checked before anything else reads it: no "." or ".." segments,
// no encoded slashes or backslashes, no empty segments, no control characters. What is forwarded is the
// raw path (encoding preserved); what policy sees is the decoded one.
import { AppError } from '../errors.ts';

export interface ProxyPath {
  raw: string;
  decoded: string;
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export function checkProxyPath(rest: string): ProxyPath {
  const raw = rest === '' ? '/' : rest;
  if (!raw.startsWith('/'))
    throw new AppError('bad_request', 'The provider path must start with "/".', { path: 'path' });
  const segments = raw.split('/').slice(1);
  const decoded: string[] = [];
  segments.forEach((seg, i) => {
    if (seg === '' && i !== segments.length - 1) {
      throw new AppError('bad_request', 'The provider path has an empty segment ("//").', { path: 'path' });
    }
    if (/%(2f|5c|00)/i.test(seg)) {
      throw new AppError('bad_request', 'The provider path contains an encoded "/", "\\" or NUL.', {
        path: 'path',
      });
    }
    let d: string;
    try {
      d = decodeURIComponent(seg);
    } catch {
      throw new AppError('bad_request', 'The provider path is not valid percent-encoding.', { path: 'path' });
    }
    if (d === '.' || d === '..' || d.includes('\\') || hasControl(d)) {
      throw new AppError(
        'bad_request',
        'The provider path may not contain "." or ".." segments, backslashes or control characters.',
        {
          path: 'path',
        },
      );
    }
    decoded.push(d);
  });
  return { raw, decoded: `/${decoded.join('/')}` };
}
