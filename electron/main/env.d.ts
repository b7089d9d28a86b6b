// Types for electron-vite's main-process import suffixes (`?asset` for the tray icons).
/// <reference types="electron-vite/node" />
