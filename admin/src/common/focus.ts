import { useEffect, useRef } from 'react';

/**
 * Moves keyboard focus (and a screen reader's attention) to an element when it
 * appears or `key` changes: a screen's heading when the screen opens, an error
 * when one is shown.
 */
export function useFocusWhen<T extends HTMLElement>(condition: unknown, key?: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (condition) ref.current?.focus();
  }, [condition, key]);
  return ref;
}
