// Launch settings from the environment (README "Starting it": AKC_PORT, AKC_DATA_DIR) and argv.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, launchConfig } from '../../electron/main/launch-config.ts';

const fallbackDir = (): string => '/home/owner/.local/share/agent-keychain';

describe('launchConfig', () => {
  it('defaults: port 7717, the shared default data directory, window shown', () => {
    expect(launchConfig({}, [], fallbackDir)).toEqual({
      dataDir: '/home/owner/.local/share/agent-keychain',
      port: DEFAULT_PORT,
      passphraseFile: undefined,
      startHidden: false,
    });
    expect(DEFAULT_PORT).toBe(7717);
  });

  it('honours AKC_PORT (0 = any free port), AKC_DATA_DIR and AKC_PASSPHRASE_FILE', () => {
    const c = launchConfig(
      { AKC_PORT: '0', AKC_DATA_DIR: '/tmp/akc', AKC_PASSPHRASE_FILE: '/run/pass' },
      [],
      fallbackDir,
    );
    expect(c).toMatchObject({ port: 0, dataDir: '/tmp/akc', passphraseFile: '/run/pass' });
  });

  it('treats empty variables as unset', () => {
    expect(launchConfig({ AKC_PORT: '', AKC_DATA_DIR: '' }, [], fallbackDir)).toMatchObject({
      port: 7717,
      dataDir: '/home/owner/.local/share/agent-keychain',
    });
  });

  it.each(['abc', '-1', '65536', '80.5', ' 80'])('refuses AKC_PORT=%j with a clear message', (port) => {
    expect(() => launchConfig({ AKC_PORT: port }, [], fallbackDir)).toThrow(/AKC_PORT must be a port number/);
  });

  it('--hidden starts in the tray only', () => {
    expect(launchConfig({}, ['/usr/bin/electron', '.', '--hidden'], fallbackDir).startHidden).toBe(true);
  });
});
