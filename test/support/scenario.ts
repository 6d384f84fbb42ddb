/** Steps that many payment tests share: a reservation, a session, a payment on the emulator's page. */
import { CreateCheckoutSessionDocument, CreateReservationDocument, PaymentStatusDocument } from '../graphql/generated';
import { startTestServer, type TestServer } from './test-server';

export interface Actors {
  admin: string;
  guest: string;
  otherGuest: string;
}

export async function actors(server: TestServer, guestId = 'guest-1'): Promise<Actors> {
  return {
    admin: await server.token('booking-system', 'ADMIN'),
    guest: await server.token(guestId, 'GUEST'),
    otherGuest: await server.token(`${guestId}-other`, 'GUEST'),
  };
}

/** A test server (own database, own emulator) and its usual callers. */
export async function startWithActors(env: Record<string, string> = {}): Promise<{ server: TestServer; who: Actors }> {
  const server = await startTestServer(env);
  return { server, who: await actors(server) };
}

let days = 30;
/** A PENDING reservation of `guestId` (check-in a month or more away, so every refund tier is testable later). */
export async function createReservation(
  server: TestServer,
  adminToken: string,
  guestId = 'guest-1',
  amount = 24000,
  checkInInDays?: number,
): Promise<string> {
  const inDays = checkInInDays ?? (days += 1);
  const checkIn = new Date(Date.now() + inDays * 86_400_000);
  const checkOut = new Date(checkIn.getTime() + 2 * 86_400_000);
  const res = await server.gql(
    CreateReservationDocument,
    { input: { guestId, description: 'Double room', checkIn: checkIn.toISOString(), checkOut: checkOut.toISOString(), amount } },
    { token: adminToken },
  );
  if (!res.data) throw new Error(`createReservation failed: ${JSON.stringify(res.errors)}`);
  return res.data.createReservation.id;
}

export async function startCheckout(server: TestServer, token: string, reservationId: string) {
  const res = await server.gql(CreateCheckoutSessionDocument, { input: { reservationId } }, { token });
  if (!res.data) throw new Error(`createCheckoutSession failed: ${JSON.stringify(res.errors)}`);
  return res.data.createCheckoutSession;
}

export async function paymentStatus(server: TestServer, token: string, reservationId: string) {
  const res = await server.gql(PaymentStatusDocument, { reservationId }, { token });
  if (!res.data) throw new Error(`paymentStatus failed: ${JSON.stringify(res.errors)}`);
  return res.data.paymentStatus;
}

/** Polls until `check` passes (webhooks arrive asynchronously), then returns its value. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
