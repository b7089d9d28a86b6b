export function benchRevoke(): Promise<Record<string, number>> {
  return Promise.resolve({});
}
