// Reads the launch settings from the environment and argv (README "Starting it"). Pure, so it is unit-tested.
export const DEFAULT_PORT = 7717;

export interface LaunchConfig {
  dataDir: string;
  port: number;
  passphraseFile: string | undefined;
  /** `--hidden` (e.g. login autostart): start in the tray without opening the main window. */
  startHidden: boolean;
}

export function launchConfig(
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[],
  defaultDataDir: () => string,
): LaunchConfig {
  const rawPort = env['AKC_PORT'];
  let port = DEFAULT_PORT;
  if (rawPort !== undefined && rawPort !== '') {
    if (!/^[0-9]{1,5}$/.test(rawPort) || Number(rawPort) > 65535) {
      throw new Error(
        `AKC_PORT must be a port number from 0 to 65535 (0 picks a free one); got "${rawPort}".`,
      );
    }
    port = Number(rawPort);
  }
  const dataDir = env['AKC_DATA_DIR'] ? env['AKC_DATA_DIR'] : defaultDataDir();
  const passphraseFile = env['AKC_PASSPHRASE_FILE'] ? env['AKC_PASSPHRASE_FILE'] : undefined;
  return { dataDir, port, passphraseFile, startHidden: argv.includes('--hidden') };
}
