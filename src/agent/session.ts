import type { Browser, BrowserContext, Page, Request, Route } from "playwright-core";
import { UserError } from "../errors.js";
import type { AgentAction } from "./actions.js";
import { type ActionResult, executeAction } from "./execute.js";
import type { PageMarker, PageMarking } from "./observation.js";

export interface WebSessionOptions {
  /** Marks the page on each observe (the `som web` marker). */
  marker: PageMarker;
  /** Origins top-level navigation may reach (default: the start URL's origin). `*` allows all. */
  allowOrigins?: readonly string[];
  viewport?: { width: number; height: number };
  deviceScaleFactor?: number;
  /** Milliseconds for the first load (default 30 s). */
  timeoutMs?: number;
  /** Set up the context before the first page loads (e.g. the marker's listener-recording init script). */
  prepareContext?: (context: BrowserContext) => Promise<void>;
  /** JavaScript run in the page after the first load (e.g. seeding a benchmark episode). */
  setup?: string;
  /** Start Chromium (e.g. the system one through src/browser/launch.ts); the session closes what it starts. */
  launch: () => Promise<Browser>;
}

/**
 * A live page an agent drives: `observe()` marks it, `act()` carries out one action on the last marks,
 * navigation to origins outside `allowOrigins` is aborted and reported with the next action's result.
 */
export class WebSession {
  private marking?: PageMarking;
  private readonly blocked: string[] = [];
  private readonly allowed: ReadonlySet<string> | "all";

  private constructor(
    private readonly browser: Browser,
    private readonly context: BrowserContext,
    readonly page: Page,
    private readonly marker: PageMarker,
    allowOrigins: readonly string[],
  ) {
    this.allowed = allowOrigins.includes("*") ? "all" : new Set(allowOrigins.map(originOf));
  }

  static async open(url: string, o: WebSessionOptions): Promise<WebSession> {
    let start: URL;
    try {
      start = new URL(url);
    } catch {
      throw new UserError(`not a URL: ${url}`);
    }
    const browser = await o.launch();
    try {
      const context = await browser.newContext({
        viewport: o.viewport ?? { width: 1280, height: 800 },
        deviceScaleFactor: o.deviceScaleFactor ?? 1,
      });
      await o.prepareContext?.(context);
      const page = await context.newPage();
      const session = new WebSession(browser, context, page, o.marker, o.allowOrigins ?? [start.origin]);
      await context.route("**/*", (route, request) => session.route(route, request));
      const res = await page
        .goto(start.href, { timeout: o.timeoutMs ?? 30_000, waitUntil: "load" })
        .catch((e: Error) => e);
      if (res instanceof Error) throw new UserError(`${url} did not load: ${res.message.split("\n")[0]}`);
      if (res && !res.ok() && start.protocol !== "file:")
        throw new UserError(`${url} answered HTTP ${res.status()}`);
      if (o.setup) {
        const ran = await page.evaluate(o.setup).catch((e: Error) => e);
        if (ran instanceof Error) throw new UserError(`--setup script failed: ${ran.message.split("\n")[0]}`);
        await page.waitForLoadState("load").catch(() => {});
      }
      return session;
    } catch (err) {
      await browser.close().catch(() => {});
      throw err;
    }
  }

  /** Top-level navigations (any tab) outside the allowed origins are aborted; everything else passes. */
  private async route(route: Route, request: Request): Promise<void> {
    const frame = request.isNavigationRequest() ? request.frame() : undefined;
    if (frame && frame.parentFrame() === null && !this.isAllowed(request.url())) {
      this.blocked.push(request.url());
      // A 204 answer cancels a navigation and leaves the page as it was (an abort would show an error page).
      await route.fulfill({ status: 204, body: "" }).catch(() => {});
      return;
    }
    await route.continue().catch(() => {});
  }

  isAllowed(url: string): boolean {
    if (this.allowed === "all") return true;
    if (url.startsWith("about:") || url.startsWith("data:") || url.startsWith("blob:")) return true;
    return this.allowed.has(originOf(url));
  }

  url(): string {
    return this.page.url();
  }

  /** Mark the page as it is now; the marks `act` uses until the next observe. */
  async observe(): Promise<PageMarking> {
    this.marking = await this.marker(this.page);
    return this.marking;
  }

  /** Carry out one action on the marks of the last observe; blocked navigations are added to its message. */
  async act(action: AgentAction): Promise<ActionResult> {
    if (!this.marking && action.kind !== "answer" && action.kind !== "press" && action.kind !== "back") {
      await this.observe();
    }
    const empty: PageMarking = {
      marks: [],
      png: new Uint8Array(),
      text: "",
      scale: 1,
      handle: async () => null,
    };
    this.blocked.length = 0;
    const result = await executeAction(this.page, action, this.marking ?? empty);
    this.marking = undefined;
    if (this.blocked.length > 0) {
      const where = [...new Set(this.blocked)].join(", ");
      return {
        ok: false,
        message: `${result.message}; navigation to ${where} blocked (outside the allowed origins)`,
      };
    }
    return result;
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => {});
    await this.browser.close().catch(() => {});
  }
}

/** "http://127.0.0.1:8080" from a URL or an origin; the input itself when it does not parse. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
