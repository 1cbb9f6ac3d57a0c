import { describe, expect, it } from 'vitest';
import { planClick, planKey, planType } from '../../extension/web/action-risk';
import type { ElementFacts } from '../../extension/web/page-protocol';

const PAGE = 'https://shop.test/products/42';

function facts(overrides: Partial<ElementFacts>): ElementFacts {
  return {
    tag: 'button',
    role: 'button',
    name: 'Show details',
    password: false,
    editable: false,
    download: false,
    submitsForm: false,
    ...overrides,
  };
}

describe('page action risk', () => {
  it('lets an ordinary button or same-page link through without confirmation', () => {
    expect(planClick(facts({}), PAGE).confirm).toBeUndefined();
    const anchor = planClick(facts({ tag: 'a', role: 'link', name: 'Top', href: `${PAGE}#top` }), PAGE);
    expect(anchor.confirm).toBeUndefined();
    expect(anchor.target).toBeUndefined();
  });

  it('names where a link goes, so its site can be checked', () => {
    const plan = planClick(facts({ tag: 'a', role: 'link', name: 'Docs', href: 'https://collector.test/x' }), PAGE);
    expect(plan.target).toBe('https://collector.test/x');
    expect(plan.confirm).toBeUndefined();
  });

  it('confirms form submissions, with the form action as the target', () => {
    const plan = planClick(
      facts({
        name: 'Send',
        submitsForm: true,
        formAction: 'https://shop.test/contact',
        formMethod: 'post',
        formText: 'Name · Email',
      }),
      PAGE,
    );
    expect(plan.confirm?.reason).toBe('form_submit');
    expect(plan.target).toBe('https://shop.test/contact');
  });

  it('confirms payment, checkout and account deletion steps, even without a form', () => {
    expect(planClick(facts({ name: 'Place order' }), PAGE).confirm?.reason).toBe('payment');
    expect(planClick(facts({ name: 'Pay now' }), PAGE).confirm?.reason).toBe('payment');
    expect(
      planClick(facts({ tag: 'a', role: 'link', name: 'Go', href: 'https://shop.test/checkout' }), PAGE).confirm
        ?.reason,
    ).toBe('payment');
    expect(planClick(facts({ name: 'Delete my account' }), PAGE).confirm?.reason).toBe('account_deletion');
    const form = planClick(
      facts({ name: 'Continue', submitsForm: true, formAction: 'https://shop.test/x', formText: 'Card number · CVC' }),
      PAGE,
    );
    expect(form.confirm?.reason).toBe('payment');
  });

  it('confirms downloads', () => {
    expect(
      planClick(facts({ tag: 'a', role: 'link', name: 'Get', href: 'https://shop.test/file', download: true }), PAGE)
        .confirm?.reason,
    ).toBe('download');
    expect(
      planClick(facts({ tag: 'a', role: 'link', name: 'Get', href: 'https://shop.test/setup.exe' }), PAGE).confirm
        ?.reason,
    ).toBe('download');
  });

  it('refuses typing into a password field and allows other fields', () => {
    expect(planType(facts({ tag: 'input', inputType: 'password', password: true, editable: true })).refuse).toMatch(
      /password/i,
    );
    expect(planType(facts({ tag: 'input', inputType: 'email', editable: true })).refuse).toBeUndefined();
  });

  it('treats Enter in a form field as submitting the form, other keys as harmless', () => {
    const field = facts({
      tag: 'input',
      role: 'textbox',
      inputType: 'text',
      editable: true,
      formAction: 'https://shop.test/search',
    });
    expect(planKey('Enter', field, PAGE).confirm?.reason).toBe('form_submit');
    expect(planKey('Escape', field, PAGE).confirm).toBeUndefined();
    expect(planKey('Enter', facts({ tag: 'textarea', editable: true }), PAGE).confirm).toBeUndefined();
  });

  it('changes its key when the page changes what the element is or where it goes', () => {
    const before = planClick(facts({ tag: 'a', role: 'link', name: 'Docs', href: 'https://shop.test/docs' }), PAGE);
    const after = planClick(facts({ tag: 'a', role: 'link', name: 'Docs', href: 'https://collector.test/docs' }), PAGE);
    expect(before.key).not.toBe(after.key);
    expect(planClick(facts({}), PAGE).key).toBe(planClick(facts({}), PAGE).key);
  });
});
