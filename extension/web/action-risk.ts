/**
 * Which page actions need the user's confirmation even on an allowed site, and
 * where an action sends the tab. Pure: decided from the facts the page reported
 * about the element (page-agent.ts) and the page URL; unit-tested.
 *
 * Confirmed every time (a site grant does not cover them): submitting a form,
 * anything that looks like a payment or checkout step or like deleting or
 * closing an account, and starting a download. Typing into a password field is
 * refused here: tools/password.ts does it, only with the user's approval.
 */
import type { ElementFacts } from './page-protocol';

export type ConfirmReason = 'account_deletion' | 'payment' | 'download' | 'form_submit';

export interface ActionPlan {
  /** The URL the action navigates to or sends data to, when it leaves the page. */
  target?: string;
  confirm?: { reason: ConfirmReason; title: string; detail: string };
  /** The action submits a form (its data goes to `target`, and on to wherever that site redirects it). */
  submits?: true;
  /** Set when the action must not happen at all. */
  refuse?: string;
  /**
   * What the plan was decided from. If the page changes between the user's
   * answer and the action (a link re-pointed, a button swapped), the key changes
   * and the action is refused.
   */
  key: string;
}

const PAYMENT =
  /\b(pay(ment)?s?|pay now|checkout|check out|purchase|buy( now)?|place (your |my )?order|confirm (your |my )?order|complete (your |my )?order|billing|credit card|card ?number|cvv|cvc)\b/i;
const ACCOUNT_DELETION =
  /\b(delete|close|deactivate|terminate|remove|erase)\s+(my |your |the |this )?(account|profile|user|membership|subscription|all (my |your )?data)\b/i;
const DOWNLOAD_EXTENSIONS =
  /\.(zip|7z|rar|tar|gz|tgz|bz2|xz|exe|msi|dmg|pkg|deb|rpm|apk|ipa|iso|img|bin|jar|crx|xpi|appimage)$/i;

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function pathnameOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname} ${parsed.search}`;
  } catch {
    return '';
  }
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 79)}…` : text);
}

function keyOf(kind: string, facts: ElementFacts, target: string | undefined): string {
  return JSON.stringify([
    kind,
    facts.tag,
    facts.role,
    facts.inputType ?? '',
    facts.name,
    target ?? '',
    facts.download,
    facts.submitsForm,
    facts.formMethod ?? '',
  ]);
}

function riskReason(haystack: string): 'account_deletion' | 'payment' | undefined {
  if (ACCOUNT_DELETION.test(haystack)) return 'account_deletion';
  if (PAYMENT.test(haystack)) return 'payment';
  return undefined;
}

function confirmFor(
  reason: ConfirmReason,
  pageUrl: string,
  what: string,
  target: string | undefined,
): NonNullable<ActionPlan['confirm']> {
  const origin = originOf(pageUrl);
  const where = target && originOf(target) !== origin ? ` (it goes to ${originOf(target)})` : '';
  switch (reason) {
    case 'account_deletion':
      return {
        reason,
        title: `Allow an account deletion step on ${origin}?`,
        detail: `The agent wants to ${what}, which looks like deleting or closing an account${where}. This is asked every time.`,
      };
    case 'payment':
      return {
        reason,
        title: `Allow a payment or checkout step on ${origin}?`,
        detail: `The agent wants to ${what}, which looks like a payment, purchase or checkout${where}. This is asked every time.`,
      };
    case 'download':
      return {
        reason,
        title: `Allow a download from ${origin}?`,
        detail: `The agent wants to ${what}, which starts a download of ${target ?? 'a file'}. This is asked every time.`,
      };
    case 'form_submit':
      return {
        reason,
        title: `Allow submitting a form on ${origin}?`,
        detail: `The agent wants to ${what}, which submits a form to ${target ?? pageUrl}. Form submissions are asked every time.`,
      };
  }
}

function submission(kind: string, facts: ElementFacts, pageUrl: string, what: string): ActionPlan {
  const target = facts.formAction ?? pageUrl;
  const reason =
    riskReason(`${facts.name} ${facts.formText ?? ''} ${pathOf(target)} ${pathOf(pageUrl)}`) ?? 'form_submit';
  return { target, submits: true, confirm: confirmFor(reason, pageUrl, what, target), key: keyOf(kind, facts, target) };
}

export function planClick(facts: ElementFacts, pageUrl: string): ActionPlan {
  if (facts.tag === 'input' && facts.inputType === 'file') {
    // A real click opens the system's file chooser on the user's screen, which the agent cannot operate.
    return {
      refuse:
        "Clicking a file field opens the file chooser on the user's screen. Use upload_file with its ref instead.",
      key: keyOf('click', facts, undefined),
    };
  }
  const what = `click ${facts.role} ${quote(facts.name)}`;
  if (facts.submitsForm) return submission('click', facts, pageUrl, what);
  const href = facts.href && !/^\s*javascript:/i.test(facts.href) ? facts.href : undefined;
  const target = href && !isSameDocument(href, pageUrl) ? href : undefined;
  if (target && (facts.download || DOWNLOAD_EXTENSIONS.test(pathnameOf(target)))) {
    return { target, confirm: confirmFor('download', pageUrl, what, target), key: keyOf('click', facts, target) };
  }
  const reason = riskReason(`${facts.name} ${target ? pathOf(target) : ''}`);
  return {
    ...(target ? { target } : {}),
    ...(reason ? { confirm: confirmFor(reason, pageUrl, what, target) } : {}),
    key: keyOf('click', facts, target),
  };
}

export function planType(facts: ElementFacts): ActionPlan {
  if (facts.password) {
    return {
      refuse:
        'type does not type into password fields. Use type_password: the user approves it for this site, or types the password into Tandem themselves so you never see it.',
      key: keyOf('type', facts, undefined),
    };
  }
  return { key: keyOf('type', facts, undefined) };
}

export function planKey(key: string, facts: ElementFacts, pageUrl: string): ActionPlan {
  // Enter in a single-line field submits its form (implicit submission).
  if (
    key === 'Enter' &&
    facts.formAction !== undefined &&
    (facts.submitsForm || facts.editable) &&
    facts.tag === 'input'
  ) {
    return submission('press', facts, pageUrl, `press Enter in ${quote(facts.name || facts.role)}`);
  }
  if (key === 'Enter' && facts.submitsForm)
    return submission('press', facts, pageUrl, `press Enter on ${quote(facts.name)}`);
  return { key: keyOf(`press:${key}`, facts, undefined) };
}

function isSameDocument(href: string, pageUrl: string): boolean {
  try {
    const target = new URL(href);
    const page = new URL(pageUrl);
    target.hash = '';
    page.hash = '';
    return target.href === page.href && href.includes('#');
  } catch {
    return false;
  }
}
