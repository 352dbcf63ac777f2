// oidc-provider (a test-only dependency) ships no type declarations; tests use it loosely typed.
declare module "oidc-provider" {
  export const errors: Record<string, new (description?: string) => Error>;
  export default class Provider {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    static errors: typeof errors;
    [member: string]: any;
  }
}
