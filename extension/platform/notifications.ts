/** Desktop notifications: task completion, and the agent's notify_user tool. */
import browser from 'webextension-polyfill';

export async function showNotification(title: string, message: string): Promise<void> {
  await browser.notifications.create({
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title,
    message,
  });
}
