/** The flow file format: the public surface other modules (engine, server, CLI) import. */
export { parseFlow, loadFlowFile, validateFlowFiles, formatIssue, flowHash, canonicalJson, FlowValidationError } from './load.ts';
export { evaluateCondition, checkConditionOperators, knownOperators } from './conditions.ts';
export { evaluateMapping, renderTemplate, compileMapping, DEFAULT_MAPPING_LIMITS, type MappingOptions } from './mapping.ts';
export { MappingSandbox, type MappingSandboxOptions } from './mapping-sandbox.ts';
export { parseDuration, tryParseDuration } from './duration.ts';
export { runFlowsValidateCli } from './validate-cli.ts';
export { FlowFileSchema, FlowStepSchema, StepSchemas, STEP_KINDS } from './schema.ts';
export * from './types.ts';
