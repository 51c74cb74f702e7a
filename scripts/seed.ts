/**
 * `npm run seed -- --contacts N [--tenant T] [--db path] [--user U] [--seed S] [--force]`
 *
 * Fills a local D1 database (a SQLite file, as Miniflare/wrangler keep it) with a realistic contact
 * book: namespaces with ref-id patterns, Indian people and firms from several regions and scripts,
 * KYC props (PAN, mobile, email, dob, Aadhaar, GSTIN for firms ...), addresses, bank accounts,
 * household and business relations, approvals, and about 5% re-keyed duplicates of earlier people.
 *
 * The file holds exactly what the API would have written for the same requests: the real migrations
 * are applied to a fresh file, and every row (contact, history, child records, identifier index,
 * namespace counters; the FTS tables from the migrations' own insert triggers) is built the way the
 * repositories in src/ build it, reusing their pure functions. test/node/seed.test.ts checks this by
 * sending the same plan through the real worker and comparing both databases table by table.
 *
 * Default target: the local database `npm run dev` serves (.wrangler/state/v3/d1/...). Stop the dev
 * server first. A target that already holds contacts is replaced only with --force.
 */

import { createHash, createHmac } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { drizzle } from "drizzle-orm/d1";
import { sqliteParams } from "../bench/lib/sqlite-statements";
import { SEARCH_INDEXES } from "../src/db/search-merge";
import { gstinCheckChar, verhoeffCheckDigit } from "../src/dedupe/identifiers";
import { newId } from "../src/lib/ids";
import { namespaceInsert, newNamespaceRow } from "../src/resources/namespaces/namespaces.repository";
import { NamespaceCreateSchema } from "../src/resources/namespaces/namespaces.schemas";
import { Rng } from "./dedupe-data";
import type { WorkerChunk, WorkerInput } from "./seed-worker";
import { executor, preparer, type Write } from "./seed-writes";
import { withSyncSubtle } from "./sync-subtle";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const MIGRATIONS_DIR = join(ROOT, "migrations");

// ---------------------------------------------------------------------------------------------
// Where local D1 databases live

/** The id workerd gives a Durable Object named `name` in a namespace with this unique key (idFromName). */
function durableObjectId(uniqueKey: string, name: string): string {
  const key = createHash("sha256").update(uniqueKey).digest();
  const nameHmac = createHmac("sha256", key).update(name).digest().subarray(0, 16);
  const hmac = createHmac("sha256", key).update(nameHmac).digest().subarray(0, 16);
  return Buffer.concat([nameHmac, hmac]).toString("hex");
}

/**
 * The SQLite file Miniflare uses for a D1 database id under a persistence root (Miniflare's
 * `resourcePersistencePath`; wrangler uses `.wrangler/state/v3`).
 */
export function d1SqlitePath(persistRoot: string, databaseId: string): string {
  const file = `${durableObjectId("miniflare-D1DatabaseObject", databaseId)}.sqlite`;
  return join(persistRoot, "d1", "miniflare-D1DatabaseObject", file);
}

/** The file `npm run dev` (wrangler dev) serves: database_id of the DB binding in wrangler.toml. */
export function defaultDevDatabasePath(): string {
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const id = /^\s*database_id\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  if (!id) throw new Error("wrangler.toml has no database_id for the D1 binding");
  return d1SqlitePath(join(ROOT, ".wrangler", "state", "v3"), id);
}

/** A value from .dev.vars (else .dev.vars.example), as `npm run dev` and scripts/token.mjs read it. */
export function devVar(name: string): string | undefined {
  for (const file of [".dev.vars", ".dev.vars.example"]) {
    const path = join(ROOT, file);
    if (!existsSync(path)) continue;
    const line = readFileSync(path, "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${name}=`));
    if (line)
      return line
        .slice(name.length + 1)
        .trim()
        .replace(/^"(.*)"$|^'(.*)'$/, "$1$2");
  }
  return undefined;
}

/**
 * Applies migrations/*.sql in order to a database, and records them in `d1_migrations` the way
 * `wrangler d1 migrations apply` does, so wrangler sees them as applied.
 */
export function applyMigrations(db: DatabaseSync, dir = MIGRATIONS_DIR): string[] {
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_.*\.sql$/.test(f))
    .sort();
  db.exec(`CREATE TABLE IF NOT EXISTS d1_migrations(
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		name       TEXT UNIQUE,
		applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`);
  const record = db.prepare("INSERT INTO d1_migrations (name) VALUES (?)");
  for (const file of files) {
    // `--> statement-breakpoint` lines are SQL comments: the whole file runs as one script.
    db.exec(readFileSync(join(dir, file), "utf8"));
    record.run(file);
  }
  return files;
}

// ---------------------------------------------------------------------------------------------
// Collision-free identifier numbering (the seeded randomness is the evaluation data set's Rng)

/**
 * The i-th value of a permutation of [0, space): real identifiers have one holder, so each kind is
 * numbered by a counter sent through a multiplicative permutation (a prime multiplier coprime to the
 * space): distinct counters give distinct, random-looking values, with no set of used values in memory.
 */
class Sequence {
  private next = 0;
  constructor(
    private readonly space: number,
    private readonly offset: number,
  ) {}
  take(): number {
    const i = this.next++;
    // 2654435761 is prime and shares no factor with the spaces used here (products of 2, 3, 5, 13).
    return Number((BigInt(i) * 2654435761n + BigInt(this.offset)) % BigInt(this.space));
  }
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const letter = (n: number) => LETTERS.charAt(n % 26);

// ---------------------------------------------------------------------------------------------
// Name and place pools by region

/** "a, b, c" -> ["a", "b", "c"] */
const list = (words: string) => words.split(", ");

type Region = {
  name: string;
  weight: number;
  male: string[];
  female: string[];
  surnames: string[];
  /** [state, GST state code, city, pincode prefix, state code] */
  places: [string, string, string, string, string][];
  /** Names written in the region's own script: [given, surname], a small share of records. */
  native?: { share: number; male: string[]; female: string[]; surnames: string[] };
};

const REGIONS: Region[] = [
  {
    name: "north",
    weight: 30,
    male: list(
      "Rahul, Amit, Rajesh, Suresh, Vikas, Sanjay, Anil, Sunil, Deepak, Manoj, Ajay, Vijay, Rakesh, Ashok, Pankaj, Rohit, Ankit, Gaurav, Saurabh, Nitin, Arun, Ravi, Mukesh, Dinesh, Ramesh, Vivek, Abhishek, Aditya, Harish, Shyam",
    ),
    female: list(
      "Priya, Pooja, Neha, Anjali, Sunita, Anita, Kavita, Rekha, Seema, Shweta, Nisha, Ritu, Sonia, Geeta, Meena, Poonam, Rani, Sapna, Divya, Swati",
    ),
    surnames: list(
      "Sharma, Verma, Gupta, Singh, Kumar, Yadav, Mishra, Pandey, Tiwari, Srivastava, Agarwal, Chauhan, Jain, Saxena, Chaudhary, Tripathi, Dubey, Shukla, Malhotra, Kapoor",
    ),
    places: [
      ["Delhi", "07", "New Delhi", "110", "DL"],
      ["Uttar Pradesh", "09", "Lucknow", "226", "UP"],
      ["Uttar Pradesh", "09", "Kanpur", "208", "UP"],
      ["Rajasthan", "08", "Jaipur", "302", "RJ"],
      ["Haryana", "06", "Gurugram", "122", "HR"],
      ["Bihar", "10", "Patna", "800", "BR"],
      ["Punjab", "03", "Ludhiana", "141", "PB"],
    ],
    native: {
      share: 0.04,
      male: list("राहुल, अमित, राजेश, सुरेश, विकास, संजय, अनिल, दीपक"),
      female: list("प्रिया, पूजा, नेहा, सुनीता, अनीता, कविता"),
      surnames: list("शर्मा, वर्मा, गुप्ता, सिंह, यादव, मिश्रा, पांडेय"),
    },
  },
  {
    name: "south",
    weight: 25,
    male: list(
      "Venkatesh, Srinivas, Ramakrishna, Karthik, Suresh, Ganesh, Murali, Prakash, Raghavan, Balaji, Arjun, Vignesh, Senthil, Anand, Krishna, Mahesh, Naveen, Praveen, Satish, Subramanian",
    ),
    female: list(
      "Lakshmi, Saraswathi, Padma, Kavya, Divya, Meenakshi, Revathi, Sandhya, Anitha, Bhavani, Shalini, Deepa, Radha, Vani, Sowmya",
    ),
    surnames: list(
      "Reddy, Naidu, Rao, Iyer, Iyengar, Nair, Menon, Pillai, Krishnan, Raju, Gowda, Shetty, Hegde, Kamath, Murthy, Varma, Nambiar, Chetty",
    ),
    places: [
      ["Karnataka", "29", "Bengaluru", "560", "KA"],
      ["Karnataka", "29", "Mysuru", "570", "KA"],
      ["Tamil Nadu", "33", "Chennai", "600", "TN"],
      ["Tamil Nadu", "33", "Coimbatore", "641", "TN"],
      ["Telangana", "36", "Hyderabad", "500", "TS"],
      ["Andhra Pradesh", "37", "Vijayawada", "520", "AP"],
      ["Kerala", "32", "Kochi", "682", "KL"],
    ],
    native: {
      share: 0.03,
      male: list("கார்த்திக், முருகன், செந்தில், ரமேஷ்"),
      female: list("லட்சுமி, மீனாட்சி, கவிதா"),
      surnames: list("ராஜா, குமார், சுப்பிரமணியன்"),
    },
  },
  {
    name: "east",
    weight: 14,
    male: list(
      "Soumya, Arindam, Subhajit, Debashish, Sourav, Abhijit, Partha, Tapas, Biswajit, Sandip, Anirban, Kaushik, Pradeep, Amitava",
    ),
    female: list("Moumita, Sudipta, Rupa, Mousumi, Ananya, Tanushree, Sreya, Payel, Rituparna, Sharmila"),
    surnames: list(
      "Banerjee, Chatterjee, Mukherjee, Das, Ghosh, Bose, Sen, Dutta, Roy, Chakraborty, Bhattacharya, Saha, Mohanty, Patnaik, Sahoo, Biswas",
    ),
    places: [
      ["West Bengal", "19", "Kolkata", "700", "WB"],
      ["Odisha", "21", "Bhubaneswar", "751", "OD"],
      ["Assam", "18", "Guwahati", "781", "AS"],
      ["Jharkhand", "20", "Ranchi", "834", "JH"],
    ],
  },
  {
    name: "west",
    weight: 21,
    male: list(
      "Sachin, Nilesh, Mahesh, Sandeep, Prashant, Tushar, Amol, Hitesh, Jignesh, Ketan, Paresh, Bhavesh, Chirag, Mitesh, Yogesh",
    ),
    female: list("Snehal, Pallavi, Rupali, Komal, Hetal, Krupa, Nidhi, Jyoti, Ashwini, Manisha, Priyanka"),
    surnames: list(
      "Patil, Deshmukh, Kulkarni, Joshi, Jadhav, Pawar, Shinde, Gaikwad, Patel, Shah, Mehta, Desai, Modi, Parikh, Trivedi, Bhatt",
    ),
    places: [
      ["Maharashtra", "27", "Mumbai", "400", "MH"],
      ["Maharashtra", "27", "Pune", "411", "MH"],
      ["Maharashtra", "27", "Nagpur", "440", "MH"],
      ["Gujarat", "24", "Ahmedabad", "380", "GJ"],
      ["Gujarat", "24", "Surat", "395", "GJ"],
      ["Goa", "30", "Panaji", "403", "GA"],
    ],
  },
  {
    name: "muslim",
    weight: 7,
    male: list(
      "Imran, Salman, Faisal, Irfan, Arif, Javed, Rashid, Shahid, Aamir, Asif, Wasim, Zubair, Sameer",
    ),
    female: list("Fatima, Ayesha, Zainab, Nazia, Shabana, Farhana, Sana, Nasreen, Shazia"),
    surnames: list("Khan, Ansari, Qureshi, Sheikh, Siddiqui, Syed, Pathan, Hussain, Ahmed, Mirza, Malik"),
    places: [
      ["Uttar Pradesh", "09", "Lucknow", "226", "UP"],
      ["Telangana", "36", "Hyderabad", "500", "TS"],
      ["Maharashtra", "27", "Mumbai", "400", "MH"],
    ],
  },
  {
    name: "north-east and others",
    weight: 3,
    male: list("Pranjal, Dhruba, Bikash, Rupam, Hemanta, John, Joseph, Thomas, George, Gurpreet, Harpreet"),
    female: list("Bornali, Jonali, Rashmi, Mary, Anna, Teresa, Simran, Harleen"),
    surnames: list("Bora, Gogoi, Baruah, Saikia, Sangma, D'Souza, Fernandes, Pereira, Gill, Sandhu, Dhillon"),
    places: [
      ["Assam", "18", "Dibrugarh", "786", "AS"],
      ["Meghalaya", "17", "Shillong", "793", "ML"],
      ["Goa", "30", "Margao", "403", "GA"],
      ["Punjab", "03", "Amritsar", "143", "PB"],
    ],
  },
];

const STREETS = list(
  "MG Road, Station Road, Gandhi Nagar, Nehru Colony, Civil Lines, Shastri Nagar, Anna Salai, Park Street, Linking Road, Sector 15, Main Bazaar, Ring Road, Temple Street, Lake View Road",
);
const LOCALITIES = list(
  "Ashok Nagar, Rajaji Nagar, Indiranagar, Andheri East, Salt Lake, Banjara Hills, Kothrud, Navrangpura, Gomti Nagar, Malviya Nagar, T Nagar, Vasant Kunj",
);
const TRADES = list(
  "Traders, Enterprises, Textiles, Medical Stores, Hardware, Electricals, Jewellers, Agencies, Motors, Foods, Constructions, Steels",
);
const DEITIES = list("Balaji, Ganesh, Sai, Lakshmi, Durga, Hanuman, Krishna, Murugan, Ambika, Shiv");
const COMPANY_WORDS = list(
  "Infotech, Logistics, Agro, Pharma, Textiles, Builders, Finserv, Industries, Exports, Solutions, Polymers",
);
const BANKS: [string, string][] = [
  ["SBIN", "State Bank of India"],
  ["HDFC", "HDFC Bank"],
  ["ICIC", "ICICI Bank"],
  ["UTIB", "Axis Bank"],
  ["PUNB", "Punjab National Bank"],
  ["BARB", "Bank of Baroda"],
  ["CNRB", "Canara Bank"],
  ["KKBK", "Kotak Mahindra Bank"],
];
const EMAIL_DOMAINS = list("gmail.com, gmail.com, gmail.com, yahoo.co.in, rediffmail.com, outlook.com");
const OCCUPATIONS = list("Salaried, Self-employed, Business, Farmer, Retired, Professional, Homemaker");
const RTO = list("MH, DL, KA, TN, UP, WB, GJ, RJ, TS, AP, KL, PB");

// ---------------------------------------------------------------------------------------------
// The plan: API requests, in order. The seeder writes their rows; the test sends them to the worker.

export type PropBody = { key: string; value: string; type: "file" | "number" | "text" | "boolean" };
export type ContactBody = {
  name: string;
  namespace: string;
  status: "active" | "inactive";
  type: "individual" | "corporate";
  tags?: string[];
  refs?: Record<string, string> | null;
  props: PropBody[];
  rm_id?: string | null;
  branch_id?: string | null;
  ref_id?: string | null;
};
export type AddressBody = {
  address_line?: string | null;
  city?: string | null;
  state?: string | null;
  pincode?: string | null;
  country?: string | null;
  type?: string;
  coords?: { lat: number; lng: number } | null;
  codes?: Record<string, string> | null;
  tags?: string[];
};
export type BankBody = {
  account_number: string;
  ifsc: string;
  account_holder_name: string;
  bank_name?: string | null;
  branch_name?: string | null;
  account_type?: string;
  is_primary?: boolean;
  tags?: string[];
};
export type RelationBody = { type: string; tags?: string[] };

/** Contacts are numbered 0..N-1 in creation order; children and actions name them by that number. */
export type Child =
  | { kind: "address"; at: number; body: AddressBody }
  | { kind: "bank"; at: number; body: BankBody }
  | { kind: "relation"; at: number; related: number | null; body: RelationBody }
  | { kind: "action"; at: number; action: "approve" | "reject"; reason: string | null };

export type ContactPlan = { index: number; at: number; body: ContactBody; children: Child[] };

export type NamespacePlan = {
  name: string;
  contact_pattern: string | null;
  contact_counter: number;
  account_pattern: string | null;
  account_counter: number;
};

export const NAMESPACES: NamespacePlan[] = [
  {
    name: "Retail",
    contact_pattern: "CUST-{yyyy}-{seq:7}",
    contact_counter: 1,
    account_pattern: "LN-{yy}{mm}-{seq:8}",
    account_counter: 1,
  },
  {
    name: "MSME",
    contact_pattern: "MSME/{yy}{mm}/{seq:6}",
    contact_counter: 1001,
    account_pattern: null,
    account_counter: 1,
  },
  {
    name: "Gold Loans",
    contact_pattern: "GL{seq:9}",
    contact_counter: 1,
    account_pattern: "GLA{seq:9}",
    account_counter: 1,
  },
  {
    name: "Vayana",
    contact_pattern: "V{seq}",
    contact_counter: 500,
    account_pattern: null,
    account_counter: 1,
  },
  // Leads come from partner systems: their own ref_id, or none yet.
  { name: "Leads", contact_pattern: null, contact_counter: 1, account_pattern: null, account_counter: 1 },
];

type Person = {
  region: Region;
  gender: "m" | "f";
  given: string;
  surname: string | null;
  native: boolean;
  dob: string;
  pan: string;
  mobile: string;
  email: string | null;
  aadhaar: string | null;
  voterId: string | null;
  passport: string | null;
  drivingLicence: string | null;
  place: Region["places"][number];
};

export type PlanOptions = {
  contacts: number;
  seed: number;
  /** Creation time of the last contact (ms); contacts spread back from it. */
  endAt: number;
  /** Duplicates of earlier people, as a share of contacts. */
  duplicateRate?: number;
};

/** Time between contacts: at least 50 ms (children and approvals fit in between), about 3 years overall. */
export function planTimes(options: PlanOptions) {
  const step = Math.max(50, Math.floor((3 * 365 * 86_400_000) / Math.max(1, options.contacts)));
  const start = options.endAt - step * options.contacts;
  return { step, start, namespacesAt: start - 86_400_000 };
}

/**
 * Yields the contacts to create, each with the requests that follow it (addresses, bank accounts,
 * relations to earlier contacts, an approval). Deterministic for a seed; memory stays bounded (only
 * recent people are kept, for households, businesses and duplicates).
 */
export function* planContacts(options: PlanOptions): Generator<ContactPlan> {
  const rng = new Rng(options.seed);
  const { step, start } = planTimes(options);
  const duplicateRate = options.duplicateRate ?? 0.05;
  const seq = {
    personPan: new Sequence(26 ** 4 * 10_000, 7_777),
    firmPan: new Sequence(26 ** 4 * 10_000, 1_234_567),
    mobile: new Sequence(4_000_000_000, 99_991),
    aadhaar: new Sequence(80_000_000_000, 31_337),
    account: new Sequence(90_000_000_000, 4_242),
    document: new Sequence(10_000_000, 555),
    email: new Sequence(1_000_000_000, 77),
  };
  const recent: { person: Person; index: number }[] = [];
  const pending: (() => ContactPlan)[] = [];
  let index = 0;

  const pan = (holder: string, initial: string, seqOf: Sequence) => {
    let u = seqOf.take();
    const digits = String(u % 10_000).padStart(4, "0");
    u = Math.floor(u / 10_000);
    const a = letter(u);
    const b = letter(Math.floor(u / 26));
    const c = letter(Math.floor(u / 676));
    const last = letter(Math.floor(u / 17_576));
    const first = /^[A-Z]$/.test(initial) ? initial : "X";
    return `${a}${b}${c}${holder}${first}${digits}${last}`;
  };
  const mobile = () => {
    const u = seq.mobile.take();
    return `${6 + Math.floor(u / 1_000_000_000)}${String(u % 1_000_000_000).padStart(9, "0")}`;
  };
  const aadhaar = () => {
    const u = seq.aadhaar.take();
    const body = `${2 + Math.floor(u / 10_000_000_000)}${String(u % 10_000_000_000).padStart(10, "0")}`;
    return `${body}${verhoeffCheckDigit(body)}`;
  };
  const dob = () => `${rng.int(1950, 2004)}-${pad2(rng.int(1, 12))}-${pad2(rng.int(1, 28))}`;

  const newPerson = (region: Region, gender: "m" | "f", surname?: string | null): Person => {
    const native = !!region.native && rng.chance(region.native.share);
    const given = native
      ? rng.pick(gender === "m" ? region.native!.male : region.native!.female)
      : rng.pick(gender === "m" ? region.male : region.female);
    const family =
      surname !== undefined
        ? surname
        : native
          ? rng.pick(region.native!.surnames)
          : region.name === "south" && rng.chance(0.3)
            ? null
            : rng.pick(region.surnames);
    const latinInitial = (native ? "X" : (family ?? given)).charAt(0).toUpperCase();
    const docNo = () => seq.document.take();
    const localPart = `${native ? "user" : given.toLowerCase()}${family && !native ? `.${family.toLowerCase()}` : ""}`;
    return {
      region,
      gender,
      given,
      surname: family,
      native,
      dob: dob(),
      pan: pan("P", latinInitial, seq.personPan),
      mobile: mobile(),
      email: rng.chance(0.65)
        ? `${localPart.replace(/[^a-z.]/g, "")}${seq.email.take() % 1000}@${rng.pick(EMAIL_DOMAINS)}`
        : null,
      aadhaar: rng.chance(0.55) ? aadhaar() : null,
      voterId: rng.chance(0.2)
        ? `${letter(docNo())}${letter(rng.int(0, 25))}${letter(rng.int(0, 25))}${String(docNo()).padStart(7, "0")}`
        : null,
      passport: rng.chance(0.08) ? `${letter(rng.int(0, 25))}${String(docNo()).padStart(7, "0")}` : null,
      drivingLicence: rng.chance(0.15)
        ? `${rng.pick(RTO)}${pad2(rng.int(1, 60))}${rng.int(1995, 2022)}${String(docNo()).padStart(7, "0")}`
        : null,
      place: rng.pick(region.places),
    };
  };

  const personName = (p: Person, variant: boolean): string => {
    let given = p.given;
    let surname = p.surname;
    let prefix = "";
    if (variant && !p.native) {
      const op = rng.weighted([
        ["honorific", 3],
        ["initial", 2],
        ["upper", 2],
        ["surnameFirst", 2],
        ["typo", 1],
      ] as const);
      if (op === "honorific")
        prefix = p.gender === "m" ? rng.pick(["Mr.", "Shri", "Sri"]) : rng.pick(["Mrs.", "Smt.", "Ms."]);
      if (op === "initial" && surname) given = `${given.charAt(0)}.`;
      if (op === "upper") {
        given = given.toUpperCase();
        surname = surname?.toUpperCase() ?? null;
      }
      if (op === "surnameFirst" && surname) [given, surname] = [surname, given];
      if (op === "typo" && given.length > 4) given = given.slice(0, 2) + given.slice(3);
    }
    return [prefix, given, surname].filter(Boolean).join(" ");
  };

  const account = (holder: string, primary: boolean, tags: string[] = []): BankBody => {
    const [code, bankName] = rng.pick(BANKS);
    const u = seq.account.take();
    return {
      account_number: `${1 + Math.floor(u / 10_000_000_000)}${String(u % 10_000_000_000).padStart(10, "0")}${rng.chance(0.4) ? rng.digits(rng.int(1, 5)) : ""}`,
      ifsc: `${code}0${rng.digits(6)}`,
      account_holder_name: holder,
      bank_name: rng.chance(0.9) ? bankName : null,
      branch_name: rng.chance(0.6) ? rng.pick(LOCALITIES) : null,
      ...(rng.chance(0.7)
        ? {
            account_type: rng.weighted([
              ["savings", 8],
              ["current", 2],
            ] as const),
          }
        : {}),
      ...(primary ? { is_primary: true } : rng.chance(0.3) ? { is_primary: false } : {}),
      ...(tags.length ? { tags } : {}),
    };
  };

  const address = (place: Person["place"], type: string): AddressBody => {
    const [state, , city, pin, stateCode] = place;
    const coords = rng.chance(0.6)
      ? {
          lat: Math.round((8 + rng.next() * 26) * 1e6) / 1e6,
          lng: Math.round((68 + rng.next() * 28) * 1e6) / 1e6,
        }
      : undefined;
    const body: AddressBody = {
      address_line: `${rng.int(1, 999)}, ${rng.pick(STREETS)}, ${rng.pick(LOCALITIES)}`,
      city,
      state,
      pincode: `${pin}${rng.digits(3)}`,
      country: "India",
      ...(rng.chance(0.85) ? { type } : {}),
      ...(coords ? { coords } : {}),
      ...(rng.chance(0.5) ? { codes: { state_code: stateCode } } : {}),
      ...(rng.chance(0.1) ? { tags: ["verified"] } : {}),
    };
    // A few partial addresses (only contact_id is required): the street and pincode left out, sent
    // blank or null, as a client that knows only the city would.
    if (rng.chance(0.04)) {
      const unset = rng.pick<string | null | undefined>([undefined, "", null]);
      if (unset === undefined) {
        delete body.address_line;
        delete body.pincode;
      } else {
        body.address_line = unset;
        body.pincode = unset;
      }
    }
    return body;
  };

  const common = (type: "individual" | "corporate", namespace: NamespacePlan, at: number) => {
    const status: "active" | "inactive" = rng.chance(0.92) ? "active" : "inactive";
    const tags = rng.weighted<string[]>([
      [[], 6],
      [["retail"], 2],
      [["vip"], 1],
      [type === "corporate" ? ["msme", "gst-registered"] : ["salaried"], 2],
    ]);
    let ref_id: string | null | undefined;
    if (!namespace.contact_pattern) ref_id = rng.chance(0.6) ? `LD-${index}-${rng.digits(4)}` : undefined;
    else if (rng.chance(0.02)) ref_id = ""; // blank: generated, as Crego's own example sends
    const body = {
      namespace: namespace.name,
      status,
      type,
      ...(tags.length ? { tags } : rng.chance(0.3) ? { tags: [] } : {}),
      ...(rng.chance(0.3)
        ? { refs: { crm_id: `CRM-${100000 + index}`, source: rng.pick(["branch", "dsa", "web"]) } }
        : {}),
      ...(rng.chance(0.7) ? { rm_id: `RM_${String(rng.int(1, 400)).padStart(3, "0")}` } : {}),
      ...(rng.chance(0.6) ? { branch_id: `BR-${rng.int(1, 120)}` } : {}),
      ...(ref_id !== undefined ? { ref_id } : {}),
    };
    const children: Child[] = [];
    let offset = 1;
    const nextAt = () => at + Math.floor((offset++ * step) / 16);
    return { body, children, nextAt, status };
  };

  const approval = (status: string, children: Child[], nextAt: () => number) => {
    if (status !== "active") return;
    const action = rng.weighted([
      ["approve", 60],
      ["reject", 5],
      [null, 35],
    ] as const);
    if (action)
      children.push({
        kind: "action",
        at: nextAt(),
        action,
        reason: rng.chance(0.5) ? (action === "approve" ? "KYC verified" : "Documents mismatch") : null,
      });
  };

  const personContact = (
    p: Person,
    variant: boolean,
    link?: { related: number; type: string },
  ): ContactPlan => {
    const at = start + index * step + rng.int(0, Math.floor(step / 4));
    const namespace = rng.weighted(
      NAMESPACES.map(
        (n) => [n, { Retail: 50, MSME: 8, "Gold Loans": 20, Vayana: 7, Leads: 15 }[n.name] ?? 1] as const,
      ),
    );
    const c = common("individual", namespace, at);
    const name = personName(p, variant);
    // A duplicate is the same person keyed again: some documents missing, other prop keys, other formats.
    const keep = (p0: number) => !variant || rng.chance(p0);
    const props: PropBody[] = [];
    if (keep(0.85))
      props.push({
        key: variant ? rng.pick(["pan_no", "PAN", "pan_number"]) : "pan_no",
        value: variant && rng.chance(0.3) ? p.pan.toLowerCase() : p.pan,
        type: "text",
      });
    if (keep(0.9))
      props.push({
        key: variant ? rng.pick(["mobile", "phone", "Mobile No"]) : "mobile",
        value: rng.pick([
          p.mobile,
          `+91 ${p.mobile.slice(0, 5)} ${p.mobile.slice(5)}`,
          `+91-${p.mobile}`,
          `0${p.mobile}`,
        ]),
        type: "text",
      });
    if (p.email && keep(0.7))
      props.push({ key: "email", value: variant ? p.email.toUpperCase() : p.email, type: "text" });
    if (rng.chance(0.95)) {
      const [y, m, d] = p.dob.split("-");
      props.push({ key: "dob", value: rng.chance(0.6) ? p.dob : `${d}/${m}/${y}`, type: "text" });
    }
    if (p.aadhaar && keep(0.6))
      props.push({
        key: "aadhaar_no",
        // A create refuses a masked Aadhaar (API.md "Personal data"): written plain or grouped.
        value: rng.chance(0.3)
          ? p.aadhaar
          : `${p.aadhaar.slice(0, 4)} ${p.aadhaar.slice(4, 8)} ${p.aadhaar.slice(8)}`,
        type: "text",
      });
    if (p.voterId && keep(0.7)) props.push({ key: "voter_id", value: p.voterId, type: "text" });
    if (p.passport && keep(0.7)) props.push({ key: "passport_no", value: p.passport, type: "text" });
    if (p.drivingLicence && keep(0.7)) props.push({ key: "dl_no", value: p.drivingLicence, type: "text" });
    props.push({ key: "gender", value: p.gender === "m" ? "male" : "female", type: "text" });
    if (rng.chance(0.7)) props.push({ key: "occupation", value: rng.pick(OCCUPATIONS), type: "text" });
    if (rng.chance(0.6))
      props.push({ key: "annual_income", value: String(rng.int(12, 400) * 10_000), type: "number" });
    if (rng.chance(0.5))
      props.push({ key: "kyc_verified", value: rng.chance(0.8) ? "true" : "false", type: "boolean" });
    if (rng.chance(0.3)) props.push({ key: "cibil_score", value: String(rng.int(550, 880)), type: "number" });
    if (rng.chance(0.25))
      props.push({ key: "photo", value: `kyc/${p.pan.toLowerCase()}/photo-${index}.jpg`, type: "file" });
    const contact: ContactPlan = { index, at, body: { name, ...c.body, props }, children: c.children };
    const nAddresses = rng.weighted([
      [0, 1],
      [1, 7],
      [2, 2],
    ] as const);
    for (let i = 0; i < nAddresses; i++)
      c.children.push({
        kind: "address",
        at: c.nextAt(),
        body: address(p.place, i === 0 ? "permanent" : "current"),
      });
    const nBanks = rng.weighted([
      [0, 35],
      [1, 55],
      [2, 10],
    ] as const);
    for (let i = 0; i < nBanks; i++)
      c.children.push({ kind: "bank", at: c.nextAt(), body: account(name, i === 0 && rng.chance(0.7)) });
    if (link)
      c.children.push({ kind: "relation", at: c.nextAt(), related: link.related, body: { type: link.type } });
    if (rng.chance(0.03))
      c.children.push({ kind: "relation", at: c.nextAt(), related: null, body: { type: "nominee" } });
    approval(c.status, c.children, c.nextAt);
    if (!variant) {
      recent.push({ person: p, index });
      if (recent.length > 5000) recent.splice(0, 1000);
    }
    index++;
    return contact;
  };

  const firmContact = (owner: Person, ownerIndex: number): ContactPlan => {
    const at = start + index * step + rng.int(0, Math.floor(step / 4));
    const msme = NAMESPACES.find((n) => n.name === "MSME")!;
    const namespace = rng.chance(0.8) ? msme : rng.pick(NAMESPACES);
    const c = common("corporate", namespace, at);
    const legal = rng.weighted([
      ["proprietorship", 45],
      ["partnership", 20],
      ["company", 35],
    ] as const);
    const family = owner.native ? rng.pick(owner.region.surnames) : (owner.surname ?? owner.given);
    const name =
      legal === "proprietorship"
        ? rng.pick([`${family} ${rng.pick(TRADES)}`, `Sri ${rng.pick(DEITIES)} ${rng.pick(TRADES)}`])
        : legal === "partnership"
          ? rng.pick([`${family} & Sons`, `${family} Brothers`, `${rng.pick(DEITIES)} ${rng.pick(TRADES)}`])
          : `${rng.pick([family, rng.pick(DEITIES)])} ${rng.pick(COMPANY_WORDS)} ${rng.pick(["Private Limited", "Pvt. Ltd.", "Limited"])}`;
    // A proprietorship has no PAN of its own: its GSTIN embeds the proprietor's.
    const firmPan =
      legal === "proprietorship"
        ? null
        : pan(legal === "company" ? "C" : "F", name.charAt(0).toUpperCase(), seq.firmPan);
    const gstPan = firmPan ?? owner.pan;
    const first14 = `${owner.place[1]}${gstPan}1Z`;
    const props: PropBody[] = [];
    if (firmPan) props.push({ key: "pan_no", value: firmPan, type: "text" });
    if (rng.chance(0.9))
      props.push({ key: "gstin", value: `${first14}${gstinCheckChar(first14)}`, type: "text" });
    props.push({ key: "mobile", value: rng.chance(0.6) ? owner.mobile : mobile(), type: "text" });
    if (rng.chance(0.6))
      props.push({
        key: "email",
        value: `accounts${seq.email.take() % 1000}@${family.toLowerCase().replace(/[^a-z]/g, "") || "firm"}.in`,
        type: "text",
      });
    props.push({ key: "constitution", value: legal, type: "text" });
    props.push({ key: "annual_turnover", value: String(rng.int(10, 5000) * 100_000), type: "number" });
    if (rng.chance(0.5))
      props.push({
        key: "udyam_no",
        value: `UDYAM-${owner.place[4]}-${pad2(rng.int(1, 40))}-${rng.digits(7)}`,
        type: "text",
      });
    if (rng.chance(0.4)) props.push({ key: "msme_registered", value: "true", type: "boolean" });
    const contact: ContactPlan = { index, at, body: { name, ...c.body, props }, children: c.children };
    c.children.push({ kind: "address", at: c.nextAt(), body: address(owner.place, "registered") });
    if (rng.chance(0.4))
      c.children.push({ kind: "address", at: c.nextAt(), body: address(owner.place, "office") });
    if (rng.chance(0.85))
      c.children.push({
        kind: "bank",
        at: c.nextAt(),
        body: { ...account(name, true), account_type: "current" },
      });
    c.children.push({
      kind: "relation",
      at: c.nextAt(),
      related: ownerIndex,
      body: {
        type: legal === "proprietorship" ? "proprietor" : legal === "partnership" ? "partner" : "director",
      },
    });
    approval(c.status, c.children, c.nextAt);
    index++;
    return contact;
  };

  while (index < options.contacts) {
    if (recent.length > 20 && rng.chance(duplicateRate)) {
      const { person } = rng.pick(recent);
      yield personContact(person, true);
      continue;
    }
    if (pending.length) {
      yield (pending.shift() as () => ContactPlan)();
      continue;
    }
    // A household: a head, sometimes family members related to the head, sometimes the head's business.
    const region = rng.weighted(REGIONS.map((r) => [r, r.weight] as const));
    const head = newPerson(region, rng.chance(0.8) ? "m" : "f");
    const headIndex = index;
    yield personContact(head, false);
    const members = rng.weighted([
      [0, 60],
      [1, 25],
      [2, 10],
      [3, 5],
    ] as const);
    for (let m = 0; m < members; m++) {
      const spouse = m === 0 && rng.chance(0.6);
      const gender = spouse ? (head.gender === "m" ? "f" : "m") : rng.chance(0.5) ? "m" : "f";
      const member = newPerson(region, gender, head.native ? undefined : head.surname);
      member.place = head.place;
      if (rng.chance(0.3)) member.mobile = head.mobile; // dependants often give the earner's number
      const type = spouse ? "spouse" : rng.pick(["child", "sibling", "co_applicant", "guarantor"]);
      pending.push(() => personContact(member, false, { related: headIndex, type }));
    }
    if (rng.chance(0.15)) pending.push(() => firmContact(head, headIndex));
  }
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

// ---------------------------------------------------------------------------------------------
export type SeedCounts = {
  namespaces: number;
  contacts: number;
  addresses: number;
  banks: number;
  relations: number;
  history: number;
  identifiers: number;
  approvals: number;
};

export type SeedOptions = PlanOptions & {
  db: string;
  tenant: string;
  user: string;
  hmacKey: string | undefined;
  /** PII_KEYS the worker runs with: protected identifiers are stored encrypted, as the API stores them. */
  piiKeys: string | undefined;
  force?: boolean;
  progress?: boolean;
  /** Contacts per transaction. */
  chunk?: number;
  /** Prepare the writes on a worker thread (needs tsx: the worker is TypeScript). */
  worker?: boolean;
};

export type SeedResult = {
  file: string;
  counts: SeedCounts;
  ms: number;
  /** Contact ids in creation order are not kept (1M of them); namespaces by name. */
  namespaces: Record<string, string>;
};

/** Chunks of prepared writes, prepared on this thread. */
async function* preparedHere(
  options: PlanOptions,
  prepare: (plan: ContactPlan) => Promise<Write[]>,
  chunk: number,
): AsyncGenerator<WorkerChunk> {
  let plans: ContactPlan[] = [];
  const prepared = async (): Promise<WorkerChunk> => {
    // One contact after the other: ids are drawn in creation order (ULIDs are monotonic).
    const writes: Write[] = [];
    for (const plan of plans) writes.push(...(await prepare(plan)));
    const contacts = plans.length;
    plans = [];
    return { writes, contacts, done: false };
  };
  for (const plan of planContacts(options)) {
    plans.push(plan);
    if (plans.length === chunk) yield await prepared();
  }
  if (plans.length) yield await prepared();
}

/** Chunks of prepared writes from a worker thread (seed-worker.ts), two requested ahead. */
async function* preparedOnWorker(input: WorkerInput): AsyncGenerator<WorkerChunk> {
  const worker = new Worker(new URL("./seed-worker.ts", import.meta.url), { workerData: input });
  const queue: WorkerChunk[] = [];
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  worker.on("message", (chunk: WorkerChunk) => {
    queue.push(chunk);
    wake?.();
  });
  worker.on("error", (error) => {
    failure = error;
    wake?.();
  });
  worker.on("exit", (code) => {
    if (code !== 0 && !failure) failure = new Error(`the seed worker exited with ${code}`);
    wake?.();
  });
  try {
    worker.postMessage("next");
    worker.postMessage("next");
    for (;;) {
      while (queue.length === 0 && !failure) await new Promise<void>((resolve) => (wake = resolve));
      const chunk = queue.shift();
      if (!chunk) throw failure;
      if (!chunk.done) worker.postMessage("next");
      yield chunk;
      if (chunk.done) return;
    }
  } finally {
    await worker.terminate();
  }
}

/** What a seed wrote, counted in the file. */
function countRows(db: DatabaseSync): SeedCounts {
  const n = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
  return {
    namespaces: n("select count(*) as n from namespaces"),
    contacts: n("select count(*) as n from contacts"),
    addresses: n("select count(*) as n from addresses"),
    banks: n("select count(*) as n from bank_accounts"),
    relations: n("select count(*) as n from relations"),
    history: n("select count(*) as n from contact_history"),
    identifiers: n("select count(*) as n from contact_identifiers"),
    approvals: n("select coalesce(sum(n), 0) as n from contact_counts where approval_status <> 'pending'"),
  };
}

/**
 * Non-unique indexes the API's create statements search by (a new primary account clears the contact's
 * other one): kept while seeding.
 */
const WRITE_INDEXES = ["bank_accounts_tenant_contact_id_idx"];

/**
 * Bulk load of the search index: the FTS triggers are dropped while the rows go in, and each FTS table
 * is then filled in one statement made of its own insert trigger (the trigger's INSERT, with the
 * base table aliased as "new"), so it holds what the triggers would have left. Feeding FTS5 a row at a
 * time, between the other tables' writes, made it merge ever larger segments: most of a 1M seed's time.
 * Returns what puts the triggers back after filling the tables.
 */
function suspendSearchTriggers(db: DatabaseSync): () => void {
  const triggers = db
    .prepare(
      "select name, tbl_name, sql from sqlite_master where type = 'trigger' and name like '%\\_fts\\_%' escape '\\' order by rowid",
    )
    .all() as { name: string; tbl_name: string; sql: string }[];
  const fills = triggers
    .filter((trigger) => trigger.name.endsWith("_fts_ai"))
    .map((trigger) => {
      const parts = /\bBEGIN\s+(INSERT\s+INTO\s+[^(]+\([^)]*\))\s*VALUES\s*\(([\s\S]*)\);\s*END\s*$/i.exec(
        trigger.sql,
      );
      if (!parts)
        throw new Error(
          `the seeder cannot fill the search index of ${trigger.tbl_name} from: ${trigger.sql}`,
        );
      return `${parts[1]} SELECT ${parts[2]} FROM "${trigger.tbl_name}" AS "new" ORDER BY "new".rowid`;
    });
  for (const trigger of triggers) db.exec(`DROP TRIGGER "${trigger.name}"`);
  return () => {
    for (const fill of fills) db.exec(fill);
    for (const trigger of triggers) db.exec(trigger.sql);
  };
}

function removeDatabase(file: string) {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${file}${suffix}`, { force: true });
}

function holdsData(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const row = db
      .prepare(
        "select (select count(*) from sqlite_master where name = 'contacts') as t, (select count(*) from sqlite_master where name = 'namespaces') as n",
      )
      .get() as { t: number; n: number };
    if (!row.t) return false;
    const used = db
      .prepare("select exists (select 1 from contacts) or exists (select 1 from namespaces) as used")
      .get() as {
      used: number;
    };
    return !!used.used;
  } finally {
    db.close();
  }
}

/** A progress bar on stderr (a line per 10% when stderr is not a terminal). */
class Progress {
  private last = 0;
  private lastDecile = -1;
  private readonly started = Date.now();
  constructor(
    private readonly total: number,
    private readonly enabled: boolean,
  ) {}
  update(done: number, force = false) {
    if (!this.enabled) return;
    const now = Date.now();
    const fraction = this.total ? done / this.total : 1;
    const elapsed = (now - this.started) / 1000;
    const rate = done / Math.max(elapsed, 0.001);
    const eta = rate > 0 ? (this.total - done) / rate : 0;
    const line = `seed ${(fraction * 100).toFixed(1).padStart(5)}% ${done.toLocaleString("en-US")}/${this.total.toLocaleString("en-US")} contacts  ${Math.round(rate).toLocaleString("en-US")}/s  elapsed ${elapsed.toFixed(0)}s  eta ${eta.toFixed(0)}s`;
    if (process.stderr.isTTY) {
      if (!force && now - this.last < 200) return;
      this.last = now;
      const width = 30;
      const filled = Math.round(fraction * width);
      process.stderr.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${line}\x1b[K`);
      if (force) process.stderr.write("\n");
    } else {
      const decile = Math.floor(fraction * 10);
      if (decile === this.lastDecile && !force) return;
      this.lastDecile = decile;
      process.stderr.write(`${line}\n`);
    }
  }
}

/**
 * Writes a fresh database: the real migrations, the namespaces, then the planned contacts with
 * everything the API writes for them, in transactions of `chunk` contacts.
 */
export function seed(options: SeedOptions): Promise<SeedResult> {
  return withSyncSubtle(() => seedFile(options));
}

async function seedFile(options: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const file = resolve(options.db);
  if (holdsData(file) && !options.force) {
    throw new Error(`${file} already holds contacts or namespaces; pass --force to replace it`);
  }
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.seeding`;
  removeDatabase(temp);
  const db = new DatabaseSync(temp);
  // A fresh file written by one process: no journal needed until it is complete.
  db.exec(
    "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -4194304; PRAGMA mmap_size = 17179869184; PRAGMA temp_store = MEMORY;",
  );
  applyMigrations(db);
  // Bulk load: the migrations' non-unique indexes are dropped and created again, with the same SQL in
  // the same order, once the rows are in (sorting once is far faster than millions of B-tree inserts).
  // Unique indexes stay: they enforce constraints and may be the target of a trigger's ON CONFLICT.
  const indexes = (
    db
      .prepare("select name, sql from sqlite_master where type = 'index' and sql is not null order by rowid")
      .all() as { name: string; sql: string }[]
  ).filter((index) => !/^\s*create\s+unique\b/i.test(index.sql) && !WRITE_INDEXES.includes(index.name));
  for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
  const fillSearch = suspendSearchTriggers(db);
  const { tenant, user } = options;
  const hmacKey = options.hmacKey ?? "";

  // Namespaces, created through POST /namespaces/ a day before the first contact (no history rows).
  const { namespacesAt } = planTimes(options);
  const namespaces = new Map<string, string>();
  const orm = drizzle({} as D1Database); // builds queries only: never executed
  db.exec("BEGIN");
  NAMESPACES.forEach((plan, i) => {
    const at = namespacesAt + i;
    const input = NamespaceCreateSchema.parse(plan);
    const row = newNamespaceRow(tenant, user, input, newId(at), new Date(at).toISOString());
    const { sql, params } = namespaceInsert(orm, row).toSQL();
    db.prepare(sql).run(...sqliteParams(params));
    namespaces.set(plan.name, row.id);
  });
  db.exec("COMMIT");

  // Contacts and their requests, a transaction per chunk of contacts: a commit writes every page the
  // chunk dirtied, so few large commits. (At
  // 400k contacts, 100,000 per transaction was no faster than 20,000.)
  const progress = new Progress(options.contacts, options.progress ?? false);
  const chunk = options.chunk ?? 20_000;
  const run = executor(db);
  const chunks = options.worker
    ? preparedOnWorker({ ...options, tenant, user, hmacKey, chunk })
    : preparedHere(options, preparer(tenant, user, { ring: options.piiKeys, hmacKey }), chunk);
  let done = 0;
  progress.update(0);
  for await (const { writes, contacts } of chunks) {
    db.exec("BEGIN");
    for (const write of writes) run(write);
    db.exec("COMMIT");
    done += contacts;
    progress.update(done);
  }
  for (const index of indexes) db.exec(index.sql);
  fillSearch();
  // Each search index as one b-tree, the state the scheduled merge keeps a tenant's in (src/db/search-merge.ts).
  for (const table of SEARCH_INDEXES) db.exec(`insert into ${table} (${table}) values ('optimize')`);
  const counts = countRows(db);
  progress.update(done, true);
  db.close();
  // Leave the file as D1 keeps it (WAL), checkpointed into the main file. On a connection of its own: the
  // one that ran the migrations cannot checkpoint after an ALTER TABLE ... RENAME next to FTS5 tables
  // (migration 0010 renames the rebuilt addresses table), SQLite answers "database table is locked".
  const wal = new DatabaseSync(temp);
  wal.exec("PRAGMA journal_mode = WAL");
  wal.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  wal.close();
  removeDatabase(file);
  renameSync(temp, file);
  for (const suffix of ["-wal", "-shm"]) rmSync(`${temp}${suffix}`, { force: true });
  return {
    file,
    counts,
    ms: Date.now() - started,
    namespaces: Object.fromEntries(namespaces),
  };
}

// ---------------------------------------------------------------------------------------------
// CLI

const USAGE = `Usage: npm run seed -- --contacts N [options]

  --contacts N     number of contacts to create (required)
  --tenant T       tenant id (default: demo, as npm run token)
  --user U         created_by of every record (default: seed)
  --db PATH        SQLite file to write (default: the local D1 database of npm run dev)
  --seed S         random seed of the data set (default: 1)
  --hmac-key K     IDENTIFIER_HMAC_KEY the worker runs with (default: from .dev.vars, else .dev.vars.example)
  --pii-keys J     PII_KEYS the worker runs with (default: from .dev.vars, else .dev.vars.example)
  --force          replace a database that already holds contacts
  --one-thread     prepare the writes (parsing, crypto) on the thread that writes them; by default a
                   second thread prepares the next chunk while the first one writes
  --quiet          no progress bar`;

async function main() {
  const { values } = parseArgs({
    options: {
      contacts: { type: "string" },
      tenant: { type: "string", default: "demo" },
      user: { type: "string", default: "seed" },
      db: { type: "string" },
      seed: { type: "string", default: "1" },
      "hmac-key": { type: "string" },
      "pii-keys": { type: "string" },
      force: { type: "boolean", default: false },
      "one-thread": { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  const contacts = Number(values.contacts);
  if (values.help || !Number.isInteger(contacts) || contacts < 0) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const db = values.db ?? defaultDevDatabasePath();
  const result = await seed({
    contacts,
    seed: Number(values.seed),
    endAt: Date.now(),
    db,
    tenant: values.tenant,
    user: values.user,
    hmacKey: values["hmac-key"] ?? devVar("IDENTIFIER_HMAC_KEY"),
    piiKeys: values["pii-keys"] ?? devVar("PII_KEYS"),
    force: values.force,
    progress: !values.quiet,
    worker: !values["one-thread"],
  });
  const c = result.counts;
  console.log(
    `Seeded ${result.file} in ${(result.ms / 1000).toFixed(1)} s: tenant ${values.tenant}, ${c.contacts} contacts, ` +
      `${c.addresses} addresses, ${c.banks} bank accounts, ${c.relations} relations, ${c.approvals} approvals, ` +
      `${c.history} history rows, ${c.identifiers} identifier rows, ${c.namespaces} namespaces.`,
  );
  if (!values.db)
    console.log("Start the local server with `npm run dev` and mint a token with `npm run token`.");
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
