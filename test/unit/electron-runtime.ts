// A stand-in for the Electron runtime (no Electron binary can run on these machines), loaded in place of
// the 'electron' module with `vi.mock('electron', () => import('./electron-runtime.ts'))`. It records what
// the glue asks of Electron (windows, loads, sends, menus, dialogs, notifications, IPC handlers) and lets a
// test act as Electron would (fire app events, click menu items, answer dialogs, call IPC handlers). Our
// own modules are never replaced; only the runtime they talk to.
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

type Listener = (...args: unknown[]) => unknown;

/** Announces what the glue created ('window', 'tray', 'notification', 'menu'), so tests await it. */
export const created = new EventEmitter();

/** Everything the stand-in recorded, and the knobs a test turns. Reset with `resetRuntime()`. */
export const runtime = {
  errorBoxes: [] as { title: string; content: string }[],
  messageBoxes: [] as Record<string, unknown>[],
  /** Answers to the next showMessageBox calls (button index); default 1. */
  messageBoxAnswers: [] as number[],
  /** What showSaveDialog answers. */
  savePath: null as string | null,
  exitCodes: [] as number[],
  quits: 0,
  singleInstance: true,
  notificationsSupported: true,
  notifications: [] as Notification[],
  trays: [] as Tray[],
  exposed: {} as Record<string, unknown>,
  paths: {} as Record<string, string>,
  sandboxEnabled: false,
};

export function resetRuntime(): void {
  Object.assign(runtime, {
    errorBoxes: [],
    messageBoxes: [],
    messageBoxAnswers: [],
    savePath: null,
    exitCodes: [],
    quits: 0,
    singleInstance: true,
    notificationsSupported: true,
    notifications: [],
    trays: [],
    exposed: {},
    paths: {},
    sandboxEnabled: false,
  });
  app.removeAllListeners();
  created.removeAllListeners();
  app.isPackaged = false;
  readyResolve = null;
  isReadyFlag = false;
  ready = new Promise((r) => (readyResolve = r));
  windows.length = 0;
  ipcMain.handlers.clear();
  ipcRenderer.removeAllListeners();
  ipcRenderer.invoked.length = 0;
  ipcRenderer.answer = () => undefined;
  session.defaultSession = new Session();
}

// ---- app -------------------------------------------------------------------------------------------

let readyResolve: (() => void) | null = null;
let ready = new Promise<void>((r) => (readyResolve = r));
let isReadyFlag = false;

class App extends EventEmitter {
  isPackaged = false;
  whenReady(): Promise<void> {
    return ready;
  }
  /** Test side: Electron finished starting. */
  becomeReady(): void {
    isReadyFlag = true;
    readyResolve?.();
  }
  isReady(): boolean {
    return isReadyFlag;
  }
  enableSandbox(): void {
    runtime.sandboxEnabled = true;
  }
  setAppUserModelId(_id: string): void {}
  setPath(name: string, value: string): void {
    runtime.paths[name] = value;
  }
  requestSingleInstanceLock(): boolean {
    return runtime.singleInstance;
  }
  quit(): void {
    runtime.quits += 1;
    // Electron emits before-quit; a listener may preventDefault to finish work first.
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.emit('will-quit');
  }
  exit(code: number): void {
    runtime.exitCodes.push(code);
  }
}
export const app = new App();

// ---- dialogs ---------------------------------------------------------------------------------------

export const dialog = {
  showErrorBox(title: string, content: string): void {
    runtime.errorBoxes.push({ title, content });
  },
  showMessageBox(...args: unknown[]): Promise<{ response: number; checkboxChecked: boolean }> {
    const options = args.at(-1) as Record<string, unknown>;
    runtime.messageBoxes.push(options);
    return Promise.resolve({ response: runtime.messageBoxAnswers.shift() ?? 1, checkboxChecked: false });
  },
  showSaveDialog(..._args: unknown[]): Promise<{ canceled: boolean; filePath: string | undefined }> {
    const p = runtime.savePath;
    return Promise.resolve(p ? { canceled: false, filePath: p } : { canceled: true, filePath: undefined });
  },
};

// ---- session ---------------------------------------------------------------------------------------

class Session {
  permissionRequest: Listener | null = null;
  permissionCheck: Listener | null = null;
  devicePermission: Listener | null = null;
  displayMedia: Listener | null = null;
  headersReceived: Listener | null = null;
  setPermissionRequestHandler(h: Listener): void {
    this.permissionRequest = h;
  }
  setPermissionCheckHandler(h: Listener): void {
    this.permissionCheck = h;
  }
  setDevicePermissionHandler(h: Listener): void {
    this.devicePermission = h;
  }
  setDisplayMediaRequestHandler(h: Listener): void {
    this.displayMedia = h;
  }
  webRequest = {
    onHeadersReceived: (h: Listener): void => {
      this.headersReceived = h;
    },
  };
}
export const session = { defaultSession: new Session() };

// ---- windows ---------------------------------------------------------------------------------------

const windows: BrowserWindow[] = [];

export class WebContents extends EventEmitter {
  destroyed = false;
  sent: { channel: string; args: unknown[] }[] = [];
  /** The top frame: its URL follows loads; `parent` is null as for a real top frame. */
  mainFrame = { url: 'about:blank', parent: null as unknown };
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getURL(): string {
    return this.mainFrame.url;
  }
}

export class BrowserWindow extends EventEmitter {
  readonly options: Record<string, unknown>;
  readonly webContents = new WebContents();
  destroyed = false;
  visible = false;
  minimized = false;
  focused = false;
  alwaysOnTop: unknown[] = [];
  loads: string[] = [];
  /** Test side: make the next load fail. */
  failNextLoad = false;

  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    windows.push(this);
    created.emit('window', this);
  }
  static getAllWindows(): BrowserWindow[] {
    return windows.filter((w) => !w.destroyed);
  }
  static fromWebContents(contents: unknown): BrowserWindow | null {
    return windows.find((w) => w.webContents === contents) ?? null;
  }
  private load(url: string): Promise<void> {
    this.loads.push(url);
    if (this.failNextLoad) {
      this.failNextLoad = false;
      return Promise.reject(new Error('ERR_FAILED'));
    }
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }
  loadURL(url: string): Promise<void> {
    return this.load(url);
  }
  loadFile(file: string, options?: { hash?: string }): Promise<void> {
    return this.load(`${pathToFileURL(file).href}${options?.hash ? `#${options.hash}` : ''}`);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  restore(): void {
    this.minimized = false;
  }
  show(): void {
    this.visible = true;
  }
  showInactive(): void {
    this.visible = true;
  }
  focus(): void {
    this.focused = true;
  }
  setAlwaysOnTop(...args: unknown[]): void {
    this.alwaysOnTop = args;
  }
  close(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

// ---- tray, menus, images, notifications ------------------------------------------------------------

export interface MenuItemOptions {
  id?: string;
  label?: string;
  type?: string;
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuItemOptions[];
}

export class Menu {
  readonly items: MenuItemOptions[];
  constructor(items: MenuItemOptions[]) {
    this.items = items;
  }
  static buildFromTemplate(template: MenuItemOptions[]): Menu {
    return new Menu(template);
  }
  /** Finds an item by id in the menu and its submenus, as Electron's getMenuItemById does. */
  getMenuItemById(id: string): MenuItemOptions | null {
    const find = (items: MenuItemOptions[]): MenuItemOptions | null => {
      for (const item of items) {
        if (item.id === id) return item;
        const inner = find(item.submenu ?? []);
        if (inner) return inner;
      }
      return null;
    };
    return find(this.items);
  }
}

export class NativeImage {
  template = false;
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
  setTemplateImage(on: boolean): void {
    this.template = on;
  }
}
export const nativeImage = {
  createFromPath: (path: string): NativeImage => new NativeImage(path),
};

export class Tray {
  image: NativeImage;
  tooltip = '';
  menu: Menu | null = null;
  destroyed = false;
  constructor(image: NativeImage) {
    this.image = image;
    runtime.trays.push(this);
    created.emit('tray', this);
  }
  setImage(image: NativeImage): void {
    this.image = image;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: Menu): void {
    this.menu = menu;
    created.emit('menu', menu);
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export class Notification extends EventEmitter {
  shown = false;
  readonly options: Record<string, unknown>;
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    runtime.notifications.push(this);
    created.emit('notification', this);
  }
  static isSupported(): boolean {
    return runtime.notificationsSupported;
  }
  show(): void {
    this.shown = true;
  }
}

// ---- IPC -------------------------------------------------------------------------------------------

export const ipcMain = {
  handlers: new Map<string, Listener>(),
  handle(channel: string, handler: Listener): void {
    this.handlers.set(channel, handler);
  },
};

/** Calls an ipcMain handler as a renderer frame would; `sender` is the calling window's webContents. */
export function invokeMain(
  channel: string,
  sender: { webContents: WebContents } | { senderFrame: unknown; sender: unknown },
  ...args: unknown[]
): Promise<unknown> {
  const handler = ipcMain.handlers.get(channel);
  if (!handler) return Promise.reject(new Error(`no ipcMain handler for ${channel}`));
  const event =
    'webContents' in sender
      ? { sender: sender.webContents, senderFrame: sender.webContents.mainFrame }
      : sender;
  return Promise.resolve(handler(event, ...args));
}

class IpcRenderer extends EventEmitter {
  invoked: { channel: string; args: unknown[] }[] = [];
  /** What the main process answers to an invoke (test side). */
  answer: (channel: string, ...args: unknown[]) => unknown = () => undefined;
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    return Promise.resolve(this.answer(channel, ...args));
  }
}
export const ipcRenderer = new IpcRenderer();

export const contextBridge = {
  exposeInMainWorld(key: string, value: unknown): void {
    runtime.exposed[key] = value;
  },
};
