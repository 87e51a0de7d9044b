/** Every connector shipped with orderflow. The CLI registers them all; a configuration picks by name. */
import type { ConnectorDefinition } from './kit/types.ts';
import { httpConnector } from './http/index.ts';
import { prestashopConnector } from './prestashop/index.ts';
import { sapb1Connector } from './sapb1/index.ts';

// Each definition is generic over its own client type; the registry holds them type-erased.
export const builtinConnectors: Array<ConnectorDefinition<never>> = [httpConnector, prestashopConnector, sapb1Connector].map((c) => c as unknown as ConnectorDefinition<never>);
