import { describe, expect, it } from 'vitest';
import { modelSource, modelSourceLabel } from '../../shared/ui/model-source';

describe('model source badge', () => {
  it('shows nothing for Anthropic, "Demo model" for a server on this computer, the host for a proxy', () => {
    expect(modelSourceLabel(modelSource('https://api.anthropic.com'))).toBeUndefined();
    expect(modelSourceLabel(modelSource('http://127.0.0.1:8787'))).toBe('Demo model');
    expect(modelSourceLabel(modelSource('http://localhost:9000/'))).toBe('Demo model');
    expect(modelSourceLabel(modelSource('http://[::1]:9000'))).toBe('Demo model');
    expect(modelSourceLabel(modelSource('https://llm-proxy.example.com/anthropic'))).toBe('API: llm-proxy.example.com');
  });
});
