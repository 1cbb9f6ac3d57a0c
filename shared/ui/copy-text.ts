/**
 * Copy to the clipboard with a moment of "Copied" on the button that did it. The buttons on code
 * blocks are made with createElement (never HTML strings): they sit inside sanitised model output.
 */

const FEEDBACK_MS = 1500;

export async function copyText(text: string, button: HTMLElement): Promise<void> {
  const label = button.dataset.label ?? button.textContent ?? 'Copy';
  button.dataset.label = label;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
  } catch {
    button.textContent = 'Copy failed';
  }
  setTimeout(() => {
    button.textContent = label;
  }, FEEDBACK_MS);
}

/** Gives every <pre> under `root` a "Copy" button for its code (once per block). */
export function addCodeCopyButtons(root: ParentNode): void {
  for (const pre of root.querySelectorAll('pre')) {
    if (pre.querySelector(':scope > button.copy-code')) continue;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy-code';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', 'Copy code');
    button.setAttribute('data-testid', 'copy-code');
    button.addEventListener('click', () => {
      const code = pre.querySelector('code') ?? pre;
      void copyText(code.textContent ?? '', button);
    });
    pre.prepend(button);
  }
}
