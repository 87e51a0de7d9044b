/**
 * Reads the configuration file. `${NAME}` and `${NAME:-default}` are replaced from the environment, so
 * secrets live in the environment, never in the file. Relative paths are resolved against the file's folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { UserError } from '../core/errors.ts';
import { schemaIssues } from '../flows/schema-issues.ts';
import { formatPath } from '../flows/locate.ts';
import { ConfigSchema, type OrderflowConfig } from './schema.ts';

export interface LoadedConfig {
  config: OrderflowConfig;
  file: string | null;
  dir: string;
}

const REF = /\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g;

/** Replaces environment references in every string of a parsed document. Missing variables are an error. */
export function resolveEnv(value: unknown, env: NodeJS.ProcessEnv, where: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(REF, (_, name: string, def: string | undefined) => {
      const v = env[name] ?? def;
      if (v === undefined) throw new UserError('OF_CONFIG_ENV_MISSING', `configuration ${where.join('.') || '(root)'} refers to \${${name}}, which is not set; export ${name} or write \${${name}:-default}`, { variable: name });
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveEnv(v, env, [...where, String(i)]));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveEnv(v, env, [...where, k])]));
  return value;
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): OrderflowConfig {
  let raw: unknown;
  try {
    raw = YAML.parse(text) ?? {};
  } catch (err) {
    throw new UserError('OF_CONFIG_INVALID', `${file}: not valid YAML: ${err instanceof Error ? err.message : String(err)}`, { file });
  }
  const issues = schemaIssues(ConfigSchema, raw);
  if (issues.length > 0) {
    const lines = issues.map((i) => `${file}: ${formatPath(i.path) || '(root)'}: ${i.message} (fix: ${i.fix})`);
    throw new UserError('OF_CONFIG_INVALID', lines.join('\n'), { file, issues: lines });
  }
  return resolveEnv(raw, env) as OrderflowConfig;
}

/** The file named, or ./orderflow.yaml when present; null when there is none (the demo runs then). */
export function findConfigFile(explicit: string | undefined, cwd = process.cwd()): string | null {
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new UserError('OF_CONFIG_NOT_FOUND', `configuration file ${explicit} does not exist; check the --config path`, { file: explicit });
    return path.resolve(explicit);
  }
  for (const name of ['orderflow.yaml', 'orderflow.yml']) {
    const p = path.join(cwd, name);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

export function loadConfig(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const file = findConfigFile(explicit ?? env.ORDERFLOW_CONFIG);
  if (!file) return { config: {}, file: null, dir: process.cwd() };
  return { config: parseConfig(fs.readFileSync(file, 'utf8'), file, env), file, dir: path.dirname(file) };
}

/** Every flow file named by the configuration: files as given, folders expanded to their *.yaml / *.yml. */
export function flowFiles(config: OrderflowConfig, dir: string): string[] {
  const out: string[] = [];
  for (const entry of config.flows ?? []) {
    const p = path.resolve(dir, entry);
    if (!fs.existsSync(p)) throw new UserError('OF_CONFIG_FLOWS_MISSING', `flows entry '${entry}' (${p}) does not exist; fix the flows list in the configuration`, { entry });
    if (fs.statSync(p).isDirectory()) {
      for (const f of fs.readdirSync(p).sort()) if (/\.ya?ml$/.test(f)) out.push(path.join(p, f));
    } else out.push(p);
  }
  return out;
}
