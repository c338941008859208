// The guests the app ships (public/guests/), and which one boots on load: the
// teaching OS when this build has it, else the small demo console guest. A page
// URL with ?guest=<name> picks one (the e2e tests use it to pin a guest).
export interface ShippedGuest {
  /** Relative to the page. */
  url: string;
  /** Domain name it boots as. */
  name: string;
  description: string;
  memMiB: number;
}

export const SHIPPED_GUESTS: readonly ShippedGuest[] = [
  {
    url: 'guests/pvos.elf',
    name: 'pvos',
    description: 'The teaching OS: a shell, processes with their own page tables, and drivers over event channels and grants.',
    memMiB: 32,
  },
  {
    url: 'guests/console.elf',
    name: 'demo',
    description: 'A tiny guest that talks over its PV console: it echoes what you type and powers off on request.',
    memMiB: 8,
  },
];

/**
 * Is the guest's image there? A static host answers a missing file with the
 * app's index.html (status 200, text/html), so the type counts too.
 */
export async function isShipped(g: ShippedGuest, fetcher: typeof fetch = fetch): Promise<boolean> {
  try {
    const res = await fetcher(g.url, { method: 'HEAD' });
    return res.ok && !(res.headers.get('content-type') ?? '').includes('text/html');
  } catch {
    return false;
  }
}

/** The shipped guests this build has, in preference order. */
export async function availableGuests(fetcher: typeof fetch = fetch): Promise<ShippedGuest[]> {
  const there = await Promise.all(SHIPPED_GUESTS.map((g) => isShipped(g, fetcher)));
  return SHIPPED_GUESTS.filter((_, i) => there[i]);
}

/** The guest to boot on load: ?guest=<name> if it names one, else the first one this build has. */
export async function defaultGuest(search: string, fetcher: typeof fetch = fetch): Promise<ShippedGuest> {
  const wanted = new URLSearchParams(search).get('guest');
  const named = SHIPPED_GUESTS.find((g) => g.name === wanted);
  if (named) return named;
  const there = await availableGuests(fetcher);
  return there[0] ?? SHIPPED_GUESTS[SHIPPED_GUESTS.length - 1]!;
}
