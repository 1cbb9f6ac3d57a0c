/**
 * Stands in for `webrtc-adapter` in the phone page's build (aliased in vite.config.ts).
 *
 * PeerJS imports webrtc-adapter, which patches RTCPeerConnection for browsers from before
 * unified-plan SDP and standard data channels (Chrome < 72, Firefox < 59, Safari < 12) and wraps every
 * ICE candidate on every browser: about 12 KiB gzipped of the page for nothing, since the page
 * already needs ES2022 and the standard WebRTC data channel API. PeerJS reads only
 * `browserDetails` from it, for its `util.browser` label and its support report: this gives the same
 * values, the way webrtc-adapter works them out.
 */
interface BrowserDetails {
  browser: 'chrome' | 'firefox' | 'safari' | 'Not a supported browser.';
  version: number | null;
}

function versionIn(userAgent: string, pattern: RegExp): number | null {
  const match = userAgent.match(pattern)?.at(-1);
  return match ? Number.parseInt(match, 10) : null;
}

function detectBrowser(): BrowserDetails {
  const { userAgent } = navigator;
  if (/Firefox\//.test(userAgent)) return { browser: 'firefox', version: versionIn(userAgent, /Firefox\/(\d+)\./) };
  if (/Chrom(e|ium)\//.test(userAgent)) {
    return { browser: 'chrome', version: versionIn(userAgent, /Chrom(e|ium)\/(\d+)\./) };
  }
  // webrtc-adapter reports Safari (and every iOS browser, which is WebKit) by its WebKit build, e.g. 605.
  if (/AppleWebKit\//.test(userAgent))
    return { browser: 'safari', version: versionIn(userAgent, /AppleWebKit\/(\d+)\./) };
  return { browser: 'Not a supported browser.', version: null };
}

export default { browserDetails: detectBrowser() };
