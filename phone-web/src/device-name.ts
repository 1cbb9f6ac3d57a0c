/** A name the extension's Devices view shows for this phone, guessed from the browser. */
export function guessDeviceName(userAgent: string): string {
  const device = /iPhone/.test(userAgent)
    ? 'iPhone'
    : /iPad/.test(userAgent)
      ? 'iPad'
      : /Android/.test(userAgent)
        ? /Mobile/.test(userAgent)
          ? 'Android phone'
          : 'Android tablet'
        : /Macintosh/.test(userAgent)
          ? 'Mac'
          : /Windows/.test(userAgent)
            ? 'Windows PC'
            : /Linux/.test(userAgent)
              ? 'Linux computer'
              : 'Phone';
  const browser = /Firefox\//.test(userAgent)
    ? 'Firefox'
    : /Edg\//.test(userAgent)
      ? 'Edge'
      : /Chrome\/|CriOS\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : '';
  return browser ? `${device} (${browser})` : device;
}
