// Renderer entry: pick the transport (IPC in Electron, HTTP + SSE in the browser console), connect the store, render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';
import { App } from './App.tsx';
import { pickTransport } from './transport/pick.ts';
import { connectStore } from './store/store.ts';
import { takeSessionProof } from './transport/session.ts';

// Before the router reads the hash: a fresh login leaves its session proof there.
if (!window.akc) takeSessionProof();
connectStore(pickTransport());

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
