/**
 * The demo company both emulators are seeded from, so that the shop's catalogue and the ERP's items match
 * by reference (PrestaShop `reference` = SAP `ItemCode`) and some shop customers already exist in the ERP
 * (same email). Deterministic: the same seed always yields the same company.
 */

export interface DemoItem {
  /** SAP ItemCode and PrestaShop product reference. */
  code: string;
  name: string;
  /** Net unit price in EUR, 2 decimals, as a string (money is never a float). */
  price: string;
  /** VAT rate in percent applied in the shop; the ERP's tax code for it is `taxCode`. */
  vatRate: string;
  taxCode: string;
  /** Stock per warehouse code. */
  stock: Record<string, number>;
  /** Minimum stock per warehouse, under which restocking is due. */
  minimum: Record<string, number>;
  weightKg: string;
}

export interface DemoCustomer {
  /** SAP CardCode (C0001…). */
  cardCode: string;
  company: string;
  firstname: string;
  lastname: string;
  email: string;
  vatNumber: string;
  address1: string;
  postcode: string;
  city: string;
  countryIso: string;
  creditLimit: string;
  currentBalance: string;
  openOrdersBalance: string;
  frozen: boolean;
  /** The ERP payment method code (SAP PeymentMethodCode). */
  paymentMethod: string;
  language: 'en' | 'es';
}

export interface DemoCompany {
  warehouses: Array<{ code: string; name: string }>;
  taxCodes: Array<{ code: string; rate: string; name: string }>;
  /** ERP payment methods, and the shop payment modules mapped to them by default. */
  paymentMethods: Array<{ code: string; name: string; shopModule: string }>;
  paymentTerms: Array<{ groupNumber: number; name: string; days: number }>;
  items: DemoItem[];
  customers: DemoCustomer[];
}

/** A small deterministic PRNG (mulberry32): enough for seeding, not for anything secret. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRODUCTS = ['Pallet jack', 'Safety gloves', 'Cable reel', 'Shelf bracket', 'LED panel', 'Drill bit set', 'Hex bolt box', 'Work bench', 'Ladder', 'Tool case', 'Extension cord', 'Label printer', 'Stretch film', 'Packing tape', 'Hand truck', 'Floor mat'];
const VARIANTS = ['S', 'M', 'L', 'XL', 'Pro', 'Eco', 'Heavy', 'Lite', 'Max', 'Mini', 'Plus', 'Classic', 'Steel', 'Alu', 'Blue', 'Red', 'Black', 'Grey', 'XXL'];
const FIRST = ['Ana', 'Luis', 'Marta', 'Jorge', 'Elena', 'Pablo', 'Lucia', 'Diego', 'Sara', 'Javier', 'Emma', 'Oliver', 'Sophie', 'Liam', 'Clara'];
const LAST = ['Garcia', 'Martinez', 'Lopez', 'Sanchez', 'Perez', 'Gomez', 'Fernandez', 'Ruiz', 'Smith', 'Brown', 'Taylor', 'Wilson', 'Moreno', 'Navarro'];
const TRADES = ['Construcciones', 'Suministros', 'Ferreteria', 'Logistics', 'Industrial', 'Talleres', 'Supplies', 'Distribuciones'];
const CITIES: Array<[string, string, string]> = [['Madrid', '28001', 'ES'], ['Barcelona', '08001', 'ES'], ['Valencia', '46001', 'ES'], ['Sevilla', '41001', 'ES'], ['Bilbao', '48001', 'ES'], ['Lisboa', '1100-148', 'PT'], ['Lyon', '69001', 'FR']];

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)] as T;
}

function money(n: number): string {
  return (Math.round(n * 100) / 100).toFixed(2);
}

export function demoCompany(seed = 42): DemoCompany {
  const rnd = seededRandom(seed);
  const warehouses = [
    { code: '01', name: 'Main warehouse' },
    { code: '02', name: 'Second warehouse' },
  ];
  const taxCodes = [
    { code: 'IVA21', rate: '21', name: 'IVA general 21%' },
    { code: 'IVA10', rate: '10', name: 'IVA reducido 10%' },
    { code: 'EXEMPT', rate: '0', name: 'Exempt' },
  ];
  const paymentMethods = [
    { code: 'TRANSFER', name: 'Bank transfer', shopModule: 'ps_wirepayment' },
    { code: 'CHEQUE', name: 'Cheque', shopModule: 'ps_checkpayment' },
    { code: 'CARD', name: 'Credit card', shopModule: 'stripe_official' },
  ];
  const paymentTerms = [
    { groupNumber: -1, name: 'Cash basic', days: 0 },
    { groupNumber: 1, name: 'Net 30', days: 30 },
    { groupNumber: 2, name: 'Net 60', days: 60 },
  ];
  const items: DemoItem[] = [];
  for (let i = 1; i <= 300; i++) {
    const reduced = i % 10 === 0;
    const low = i % 25 === 0; // a few items close to their minimum
    const none = i % 50 === 0; // and a few out of stock in the main warehouse
    const s1 = none ? 0 : low ? 12 : 50 + Math.floor(rnd() * 450);
    const s2 = Math.floor(rnd() * 200);
    items.push({
      code: `A${String(i).padStart(5, '0')}`,
      name: `${pick(rnd, PRODUCTS)} ${pick(rnd, VARIANTS)}`,
      price: money(2 + rnd() * (i % 7 === 0 ? 900 : 120)),
      vatRate: reduced ? '10' : '21',
      taxCode: reduced ? 'IVA10' : 'IVA21',
      stock: { '01': s1, '02': s2 },
      minimum: { '01': 10, '02': 5 },
      weightKg: money(0.2 + rnd() * 20),
    });
  }
  const customers: DemoCustomer[] = [];
  for (let i = 1; i <= 50; i++) {
    const [city, postcode, countryIso] = pick(rnd, CITIES);
    const firstname = pick(rnd, FIRST);
    const lastname = pick(rnd, LAST);
    const company = `${pick(rnd, TRADES)} ${lastname} ${i} SL`;
    const frozen = i % 17 === 0; // C0017, C0034
    const overCredit = i % 13 === 0; // C0013, C0026, C0039
    const limit = 20000 + Math.floor(rnd() * 8) * 5000;
    customers.push({
      cardCode: `C${String(i).padStart(4, '0')}`,
      company,
      firstname,
      lastname,
      email: `buyer${i}@customer${i}.example.com`,
      vatNumber: `${countryIso}B${String(10000000 + i * 7919).slice(0, 8)}`,
      address1: `Calle ${pick(rnd, LAST)} ${1 + Math.floor(rnd() * 120)}`,
      postcode,
      city,
      countryIso,
      creditLimit: money(limit),
      currentBalance: money(overCredit ? limit * 0.9 : rnd() * limit * 0.3),
      openOrdersBalance: money(overCredit ? limit * 0.15 : rnd() * limit * 0.1),
      frozen,
      paymentMethod: pick(rnd, paymentMethods).code,
      language: countryIso === 'ES' ? 'es' : 'en',
    });
  }
  return { warehouses, taxCodes, paymentMethods, paymentTerms, items, customers };
}
