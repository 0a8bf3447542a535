// The service's API, with the rep's token; every error body is the one envelope.
import type { Auth } from "./auth";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
    readonly existingId: string | null = null,
    /** Seconds to wait before asking again (`Retry-After` of a 429 or 503). */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

/** The claims of a `WWW-Authenticate: Bearer … claims="…"` challenge, decoded. */
function claimsChallenge(header: string | null): string | undefined {
  const match = header?.match(/claims="([^"]+)"/);
  return match ? atob(match[1]) : undefined;
}

export class Api {
  constructor(private readonly auth: Auth) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let token = await this.auth.token();
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(path, {
          method,
          headers: {
            Authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { "Content-Type": "application/json" }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch {
        throw new ApiError(0, "offline", "outforce cannot be reached. Check your connection and try again.");
      }
      if (response.status === 401 && attempt === 0) {
        token = await this.auth.token(claimsChallenge(response.headers.get("WWW-Authenticate")));
        continue;
      }
      if (response.status === 204) return null as T;
      const text = await response.text();
      const json = text ? JSON.parse(text) : null;
      if (response.ok) return json as T;
      const error = json?.error ?? {};
      throw new ApiError(
        response.status,
        error.code ?? "unknown",
        error.message ?? `outforce answered ${response.status}`,
        error.field ?? null,
        error.existing_id ?? null,
        Number(response.headers.get("Retry-After")) || null,
      );
    }
  }
}
