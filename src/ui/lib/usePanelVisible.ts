// Whether a panel's element is on screen: a background tab of the dock is not
// displayed, and a scrolled-away or zero-sized element does not intersect the
// viewport. Live views run their animation-frame loops only while it is visible,
// so hidden panels cost nothing. Needs only the element, not the dock's API.
import { useEffect, useState } from 'react';

/** A ref callback for the panel's root element, and whether that element is visible. */
export function usePanelVisible(): [ref: (el: Element | null) => void, visible: boolean] {
  const [el, setEl] = useState<Element | null>(null);
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    if (!el) return;
    const io = new IntersectionObserver((entries) => setVisible(entries[entries.length - 1].isIntersecting));
    io.observe(el);
    return () => io.disconnect();
  }, [el]);
  return [setEl, visible];
}
