/** The configuration file (`orderflow.yaml`): which database, which flows, which systems, who to tell. */
import { Type, type Static } from 'typebox';

const PollerConfig = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    intervalMs: Type.Optional(Type.Integer({ minimum: 100 })),
    options: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

export const ConnectionConfigSchema = Type.Object(
  {
    connector: Type.String({ minLength: 1, description: 'prestashop, sapb1, http' }),
    settings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** Polling triggers by name; by default every polling trigger of a connection some flow listens to runs. */
    pollers: Type.Optional(Type.Record(Type.String(), PollerConfig)),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    database: Type.Optional(Type.String({ minLength: 1, description: 'sqlite:PATH or postgres://…; DATABASE_URL wins' })),
    server: Type.Optional(
      Type.Object(
        {
          host: Type.Optional(Type.String()),
          port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
          apiToken: Type.Optional(Type.String()),
          bodyLimitBytes: Type.Optional(Type.Integer({ minimum: 1024 })),
        },
        { additionalProperties: false },
      ),
    ),
    engine: Type.Optional(
      Type.Object(
        {
          workers: Type.Optional(Type.Integer({ minimum: 0, maximum: 64 })),
          concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          leaseMs: Type.Optional(Type.Integer({ minimum: 100 })),
          pollMs: Type.Optional(Type.Integer({ minimum: 10 })),
        },
        { additionalProperties: false },
      ),
    ),
    flows: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'flow files or folders of *.yaml' })),
    connections: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$' }), ConnectionConfigSchema)),
    notifications: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    log: Type.Optional(Type.Object({ level: Type.Optional(Type.String()), pretty: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export type OrderflowConfig = Static<typeof ConfigSchema>;
export type ConnectionEntry = Static<typeof ConnectionConfigSchema>;
