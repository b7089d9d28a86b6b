// Packaging settings that carry security (the Electron fuses, docs/ARCHITECTURE.md "Electron shell") and
// the tray icons the shell loads.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const root = join(import.meta.dirname, '..', '..');
// Parsed, then checked against the shape this test relies on: a moved or misspelled key fails here.
const Builder = z.object({
  appId: z.string(),
  productName: z.string(),
  files: z.array(z.string()),
  linux: z.object({ target: z.array(z.string()) }),
  mac: z.object({ target: z.string() }),
  win: z.object({ target: z.string() }),
  electronFuses: z.record(z.string(), z.boolean()),
});
const builder = Builder.parse(parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')));

describe('electron-builder.yml', () => {
  it('sets every security fuse', () => {
    expect(builder.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('identifies the app', () => {
    expect(builder.appId).toBe('dev.agentkeychain.app');
    expect(builder.productName).toBe('Agent Keychain');
  });

  it('targets AppImage + deb, dmg and nsis', () => {
    expect(builder.linux.target).toEqual(['AppImage', 'deb']);
    expect(builder.mac.target).toBe('dmg');
    expect(builder.win.target).toBe('nsis');
  });

  it('ships the build output and the tray icons', () => {
    expect(builder.files).toEqual(expect.arrayContaining(['out/**', 'resources/tray-*']));
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
