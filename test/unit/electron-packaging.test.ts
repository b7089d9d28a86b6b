// Packaging settings that carry security (DESIGN §7.6 fuses) and the tray icons the shell loads.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const builder = readFileSync(join(root, 'electron-builder.yml'), 'utf8');

/** The value of a top-level or nested `key: value` line (the config is flat enough for this). */
function setting(key: string): string | undefined {
  const m = new RegExp(`^\\s*${key}:\\s*(.+?)\\s*$`, 'm').exec(builder);
  return m?.[1];
}

describe('electron-builder.yml', () => {
  it.each([
    ['runAsNode', 'false'],
    ['enableNodeOptionsEnvironmentVariable', 'false'],
    ['enableNodeCliInspectArguments', 'false'],
    ['enableCookieEncryption', 'true'],
    ['enableEmbeddedAsarIntegrityValidation', 'true'],
    ['onlyLoadAppFromAsar', 'true'],
  ])('fuse %s is %s', (fuse, value) => {
    const section = builder.slice(builder.indexOf('electronFuses:'));
    expect(new RegExp(`^\\s+${fuse}:\\s*${value}\\s*$`, 'm').test(section)).toBe(true);
  });

  it('identifies the app', () => {
    expect(setting('appId')).toBe('dev.agentkeychain.app');
    expect(setting('productName')).toBe('Agent Keychain');
  });

  it('targets AppImage + deb, dmg and nsis', () => {
    expect(builder).toMatch(/linux:\s*\n\s+target:\s*\n\s+- AppImage\s*\n\s+- deb/);
    expect(builder).toMatch(/mac:\s*\n\s+target: dmg/);
    expect(builder).toMatch(/win:\s*\n\s+target: nsis/);
  });

  it('ships the build output and the tray icons', () => {
    expect(builder).toMatch(/files:\s*\n\s+- out\/\*\*\s*\n\s+- resources\/tray-\*/);
  });
});

function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(join(root, 'resources', file));
  expect(b.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(b.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('tray icons', () => {
  it.each(['normal', 'attention', 'locked', 'error'])(
    '%s: 16 px, @2x 32 px, template variants and an ICO',
    (state) => {
      expect(pngSize(`tray-${state}.png`)).toEqual({ width: 16, height: 16 });
      expect(pngSize(`tray-${state}@2x.png`)).toEqual({ width: 32, height: 32 });
      expect(pngSize(`tray-${state}Template.png`)).toEqual({ width: 16, height: 16 });
      expect(pngSize(`tray-${state}Template@2x.png`)).toEqual({ width: 32, height: 32 });
      const ico = readFileSync(join(root, 'resources', `tray-${state}.ico`));
      expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, 2]);
    },
  );

  it('the four states look different', () => {
    const bytes = ['normal', 'attention', 'locked', 'error'].map((s) =>
      readFileSync(join(root, 'resources', `tray-${s}.png`)).toString('base64'),
    );
    expect(new Set(bytes).size).toBe(4);
  });
});
