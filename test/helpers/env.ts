// Facts about the test machine that decide which real parts are available.
import { existsSync } from 'node:fs';

/** True inside `npm test`'s private D-Bus session with an unlocked gnome-keyring. */
export const hasKeyring =
  process.env.AKC_TEST_KEYRING === '1' && Boolean(process.env.DBUS_SESSION_BUS_ADDRESS);
export const keyringSkipReason =
  'no Secret Service in this session: run the tests with `npm test` (it starts a private gnome-keyring)';

export const CHROMIUM = process.env.AKC_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export const NODE22 = new URL('../../node_modules/.bin/node', import.meta.url).pathname;
export const ROOT = new URL('../../', import.meta.url).pathname;
