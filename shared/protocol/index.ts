export * from './commands';
export * from './events';
export * from './link';
export * from './link-relay';
export * from './messages';
export * from './offscreen';
export * from './push';
export * from './schedules';
