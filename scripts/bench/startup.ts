export function benchStartup(): Promise<Record<string, number>> {
  return Promise.resolve({});
}
