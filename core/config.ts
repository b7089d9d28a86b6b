// Environment variables, validated at the edge like every other input.
import { z } from 'zod';
import { defaultDataDir } from './paths.ts';

const Env = z.object({
  AKC_PORT: z.coerce.number().int().min(0).max(65535).default(7717),
  AKC_DATA_DIR: z.string().min(1).optional(),
  AKC_PASSPHRASE_FILE: z.string().min(1).optional(),
  AKC_ADMIN_TOKEN_FILE: z.string().min(1).optional(),
  AKC_APPROVAL_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(120_000),
  AKC_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(120_000),
});

export interface Config {
  port: number;
  dataDir: string;
  passphraseFile: string | undefined;
  /** Opt-in for unattended servers: where to write a full-power owner token (README "Threat model"). */
  adminTokenFile: string | undefined;
  approvalTimeoutMs: number;
  upstreamTimeoutMs: number;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `Invalid environment variable ${String(issue?.path[0] ?? '')}: ${issue?.message ?? 'invalid'}.`,
    );
  }
  const e = parsed.data;
  return {
    port: e.AKC_PORT,
    dataDir: e.AKC_DATA_DIR ?? defaultDataDir(env),
    passphraseFile: e.AKC_PASSPHRASE_FILE,
    adminTokenFile: e.AKC_ADMIN_TOKEN_FILE,
    approvalTimeoutMs: e.AKC_APPROVAL_TIMEOUT_MS,
    upstreamTimeoutMs: e.AKC_UPSTREAM_TIMEOUT_MS,
  };
}
