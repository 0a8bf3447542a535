// The rep's access token for our API: Nested App Authentication through MSAL where the host
// supports it, else Office's own SSO (Office.auth.getAccessToken). Only access tokens are ever
// sent to the API, never an ID token.
import {
  createNestablePublicClientApplication,
  InteractionRequiredAuthError,
  type IPublicClientApplication,
} from "@azure/msal-browser";
import type { PaneConfig } from "./types";

export class Auth {
  private naa: Promise<IPublicClientApplication | null> | null = null;

  constructor(private readonly config: PaneConfig) {}

  private nestedApp(): Promise<IPublicClientApplication | null> {
    if (!this.naa) {
      const supported = Office.context.requirements.isSetSupported("NestedAppAuth", "1.1");
      this.naa = supported
        ? createNestablePublicClientApplication({
            auth: { clientId: this.config.clientId, authority: this.config.authority },
          }).catch(() => null)
        : Promise.resolve(null);
    }
    return this.naa;
  }

  /** An access token for the API; `claims` answers a Conditional Access challenge. */
  async token(claims?: string): Promise<string> {
    const app = await this.nestedApp();
    if (app) {
      const request = { scopes: [this.config.scope], claims };
      try {
        const result = await app.acquireTokenSilent(request);
        return result.accessToken;
      } catch (error) {
        if (!(error instanceof InteractionRequiredAuthError) && !claims) throw error;
        const result = await app.acquireTokenPopup(request);
        return result.accessToken;
      }
    }
    return Office.auth.getAccessToken({
      allowSignInPrompt: true,
      allowConsentPrompt: true,
      forMSGraphAccess: false,
      authChallenge: claims,
    });
  }
}
