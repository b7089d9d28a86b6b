// Canonical JSON: object keys sorted by UTF-16 code unit order at every depth, no whitespace, and
// JSON.stringify's rules for everything else (undefined members dropped, undefined in arrays -> null,
// non-finite numbers -> null, toJSON honoured). Two equal values always give the same text, which is
// what the audit hash chain is computed over. Bigints and cycles throw.

export function canonicalJson(value: unknown): string {
  return serialize(value, new Set<object>()) ?? 'null';
}

function serialize(value: unknown, seen: Set<object>): string | undefined {
  if (
    value !== null &&
    typeof value === 'object' &&
    'toJSON' in value &&
    typeof value.toJSON === 'function'
  ) {
    value = (value.toJSON as () => unknown).call(value);
  }
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'bigint':
      throw new TypeError('canonicalJson: bigint values cannot be serialized');
    case 'object':
      break;
    default:
      // undefined, functions and symbols: dropped from objects, null inside arrays (as JSON.stringify does).
      return undefined;
  }
  if (seen.has(value)) throw new TypeError('canonicalJson: circular structure');
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const items = (value as unknown[]).map((item) => serialize(item, seen) ?? 'null');
      return `[${items.join(',')}]`;
    }
    const record = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const text = serialize(record[key], seen);
      if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    seen.delete(value);
  }
}
