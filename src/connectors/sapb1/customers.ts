/** Customer actions: find by CardCode, cross-reference or email; create with bill-to and ship-to addresses. */
import { UserError, type OrderflowError } from '../../core/errors.ts';
import type { SapB1Client } from './client.ts';
import { toBusinessPartner } from './normalise.ts';
import { keyPath, quote, withQuery } from './odata.ts';
import type { BusinessPartner, CreateCustomerInput, FindCustomerInput } from './types.ts';

const DEFAULT_XREF_FIELD = 'U_OF_XREF';

function isNotFound(e: unknown): boolean {
  return (e as OrderflowError | undefined)?.code === 'OF_SAP_NOT_FOUND';
}

export async function getCustomer(client: SapB1Client, cardCode: string): Promise<BusinessPartner | null> {
  try {
    return toBusinessPartner(await client.get<Record<string, unknown>>(keyPath('BusinessPartners', cardCode)));
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

async function findBy(client: SapB1Client, field: string, value: string, caseInsensitive: boolean): Promise<BusinessPartner | null> {
  const path = withQuery('BusinessPartners', { $filter: `${field} eq ${quote(value)} and CardType eq 'cCustomer'`, $orderby: 'CardCode asc', $top: 1 });
  // Emails differ in case between systems; HANA compares case-sensitively unless told otherwise.
  const page = await client.getPage<Record<string, unknown>>(path, caseInsensitive ? { 'b1s-caseinsensitive': 'true' } : undefined);
  const first = page.value[0];
  return first ? toBusinessPartner(first) : null;
}

export async function findCustomer(client: SapB1Client, input: FindCustomerInput): Promise<BusinessPartner | null> {
  if (!input.cardCode && !input.email && !input.xref) {
    throw new UserError('OF_SAP_CUSTOMER_LOOKUP_EMPTY', 'findCustomer needs at least one of cardCode, email or xref; map one of them in the step input');
  }
  if (input.cardCode) {
    const bp = await getCustomer(client, input.cardCode);
    if (bp) return bp;
  }
  if (input.xref) {
    const bp = await findBy(client, client.settings.xrefField ?? DEFAULT_XREF_FIELD, input.xref, false);
    if (bp) return bp;
  }
  if (input.email) return findBy(client, 'EmailAddress', input.email.trim(), true);
  return null;
}

export async function createCustomer(client: SapB1Client, input: CreateCustomerInput): Promise<BusinessPartner> {
  const { xref, ...bp } = input;
  const types = new Set((bp.BPAddresses ?? []).map((a) => (a.AddressType === 'B' ? 'bo_BillTo' : a.AddressType === 'S' ? 'bo_ShipTo' : a.AddressType)));
  if (!types.has('bo_BillTo') || !types.has('bo_ShipTo')) {
    throw new UserError('OF_SAP_CUSTOMER_ADDRESSES', `customer '${bp.CardCode}' needs a bill-to (bo_BillTo) and a ship-to (bo_ShipTo) address in BPAddresses`);
  }
  const body: Record<string, unknown> = { CardType: 'cCustomer', ...bp };
  if (xref) body[client.settings.xrefField ?? DEFAULT_XREF_FIELD] = xref;
  const created = await client.post<Record<string, unknown>>('BusinessPartners', body);
  return created ? toBusinessPartner(created) : ((await getCustomer(client, bp.CardCode)) as BusinessPartner);
}

/**
 * The probe after an ambiguous create: the CardCode we sent, if it now exists for the same person (same
 * email or cross-reference); else a customer with that cross-reference or email. A CardCode taken by
 * somebody else is not adopted: the retry will then fail with SAP's duplicate error, for a person to see.
 */
export async function reconcileCustomer(client: SapB1Client, input: CreateCustomerInput): Promise<BusinessPartner | undefined> {
  const byCode = await getCustomer(client, input.CardCode);
  const sameEmail = (bp: BusinessPartner) => (bp.EmailAddress ?? '').toLowerCase() === input.EmailAddress.trim().toLowerCase();
  if (byCode) return sameEmail(byCode) ? byCode : undefined;
  return (await findCustomer(client, { xref: input.xref, email: input.EmailAddress })) ?? undefined;
}
