// The catalog: upstream servers, their tools' metadata and virtual servers, read from YAML files.
export { loadCatalog, CatalogError } from "./load.ts";
export { fieldPath } from "./issues.ts";
export type { Catalog, CatalogServer, CatalogVirtualServer, LoadOptions } from "./load.ts";
export { unpinnedPackages } from "./pinning.ts";
export {
  toolFacts,
  virtualEntries,
  virtualResourceServers,
  virtualTarget,
  virtualToolTarget,
} from "./tools.ts";
export type { CuratedKind, ToolFacts, VirtualEntry, VirtualToolTarget } from "./tools.ts";
export {
  parseSecretReference,
  resolveSecret,
  resolveSecrets,
  SecretResolutionError,
} from "./secrets.ts";
export type { SecretReference } from "./secrets.ts";
export { isolationOf } from "./schema.ts";
export type {
  Isolation,
  Risk,
  Transport,
  StdioTransport,
  HttpTransport,
  ToolMetadata,
} from "./schema.ts";
export {
  ACCESS_TOKEN_TYPE,
  TOKEN_EXCHANGE_GRANT,
  credentialHeader,
  credentialSecretReferences,
} from "./credentials.ts";
export type {
  ClientCredentialsConfig,
  OAuthCredentials,
  StaticCredentials,
  TokenExchangeConfig,
  UpstreamCredentials,
} from "./credentials.ts";
