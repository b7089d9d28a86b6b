// Tray icon per state: PNG (+ @2x picked up beside it) on Linux, ICO on Windows, template images on macOS.
// `?asset` resolves to the file under resources/ at run time (electron-builder ships resources/).
import { nativeImage, type NativeImage } from 'electron';
import type { TrayIconState } from './tray-model.ts';
import normalPng from '../../resources/tray-normal.png?asset';
import attentionPng from '../../resources/tray-attention.png?asset';
import lockedPng from '../../resources/tray-locked.png?asset';
import errorPng from '../../resources/tray-error.png?asset';
import normalTemplate from '../../resources/tray-normalTemplate.png?asset';
import attentionTemplate from '../../resources/tray-attentionTemplate.png?asset';
import lockedTemplate from '../../resources/tray-lockedTemplate.png?asset';
import errorTemplate from '../../resources/tray-errorTemplate.png?asset';
import normalIco from '../../resources/tray-normal.ico?asset';
import attentionIco from '../../resources/tray-attention.ico?asset';
import lockedIco from '../../resources/tray-locked.ico?asset';
import errorIco from '../../resources/tray-error.ico?asset';

const files: Record<TrayIconState, { png: string; template: string; ico: string }> = {
  normal: { png: normalPng, template: normalTemplate, ico: normalIco },
  attention: { png: attentionPng, template: attentionTemplate, ico: attentionIco },
  locked: { png: lockedPng, template: lockedTemplate, ico: lockedIco },
  error: { png: errorPng, template: errorTemplate, ico: errorIco },
};

const cache = new Map<TrayIconState, NativeImage>();

export function trayIcon(state: TrayIconState): NativeImage {
  const cached = cache.get(state);
  if (cached) return cached;
  const f = files[state];
  let image: NativeImage;
  if (process.platform === 'darwin') {
    image = nativeImage.createFromPath(f.template);
    image.setTemplateImage(true);
  } else if (process.platform === 'win32') {
    image = nativeImage.createFromPath(f.ico);
  } else {
    image = nativeImage.createFromPath(f.png);
  }
  cache.set(state, image);
  return image;
}
