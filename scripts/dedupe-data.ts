/**
 * A deterministic synthetic Indian contact set with known duplicates, for the dedupe evaluation.
 *
 * What makes it hard, on purpose:
 *  - names from small per-community pools (North, South, East, West, North-East; Hindu, Muslim, Sikh,
 *    Christian), so many different people share a full name ("Rahul Sharma" several times over);
 *  - households: same surname and address, often one mobile for several members, sometimes one email
 *    or a joint bank account, occasionally twins (same date of birth). They are NOT duplicates;
 *  - businesses: companies, partnership firms, trusts and HUFs with their own PAN, sharing the
 *    director's / partner's / karta's mobile. They are NOT duplicates of those people;
 *  - proprietorships: a proprietorship has no PAN of its own, its GSTIN embeds the proprietor's. The
 *    firm and its proprietor are one legal person, so they ARE labelled a duplicate pair (the issue:
 *    "a firm's GSTIN links to its proprietor's PAN");
 *  - duplicates (10% of contacts) re-key the same person or business: identifiers in other formats
 *    and under other prop keys, some props missing, a changed mobile, name variants (honorifics,
 *    initials, dropped middle names, surname first, romanisation variants, typos), rarely a PAN
 *    keyed with one wrong character; a few are sparse lead-stage records (name and mobile only).
 *
 * Every identifier is valid (PAN holder types, GSTIN check character, Aadhaar Verhoeff digit), and
 * unique to its holder unless shared on purpose as above.
 */

import { gstinCheckChar, verhoeffCheckDigit } from "../src/dedupe/identifiers";

export type SyntheticContact = {
  id: string;
  /** Ground truth: contacts with the same entity are one person or legal entity. */
  entity: string;
  name: string;
  type: "individual" | "corporate" | null;
  props: { key: string; value: string }[];
  banks: { account_number: string; ifsc: string }[];
  /** How the record came about: "person", "company", "duplicate:full", ... (for the report). */
  origin: string;
  /**
   * What the record's name shows, for per-category figures: `script:<script>` when written in an
   * Indic script, `initials` when a given name is cut to its initial, `surname-typo`.
   */
  tags: string[];
};

export type Dataset = {
  contacts: SyntheticContact[];
  /**
   * Known non-duplicate relationships between contacts ("household", "officer"), by pairKey, and the
   * hard negatives made on purpose ("hard:initials", "hard:surname-typo", "hard:name+dob",
   * "hard:script", "hard:cross-script", "hard:siblings", "hard:house"): different people whose names
   * look like one.
   */
  relations: Map<string, string>;
};

export const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

// ---------------------------------------------------------------------------------------------
// Seeded randomness (mulberry32): the same seed always yields the same data set.

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return (items[items.length - 1] as readonly [T, number])[0];
  }
  digits(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
  letters(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(65 + this.int(0, 25));
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// Name pools by community

/** "a, b, c" -> ["a", "b", "c"]: keeps long word lists on a few lines. */
const list = (words: string) => words.split(", ");

type Gender = "m" | "f";
type Community = {
  name: string;
  weight: number;
  male: string[];
  female: string[];
  surnames: string[];
  states: string[]; // GST state codes where they mostly live
};

const COMMUNITIES: Community[] = [
  {
    name: "north",
    weight: 27,
    male: list(
      "Rahul, Amit, Rajesh, Suresh, Vikas, Sanjay, Anil, Sunil, Deepak, Manoj, Ajay, Vijay, Rakesh, Ashok, Pankaj, Rohit, Ankit, Gaurav, Saurabh, Nitin, Arun, Ravi, Mukesh, Dinesh, Ramesh, Vivek, Abhishek, Aditya, Harish, Shyam",
    ),
    female: list(
      "Priya, Pooja, Neha, Anjali, Sunita, Anita, Kavita, Rekha, Seema, Shweta, Nisha, Ritu, Sonia, Geeta, Meena, Poonam, Rani, Sapna, Divya, Swati",
    ),
    surnames: list(
      "Sharma, Verma, Gupta, Singh, Kumar, Yadav, Mishra, Pandey, Tiwari, Srivastava, Agarwal, Chauhan, Jain, Saxena, Chaudhary, Tripathi, Dubey, Shukla, Malhotra, Kapoor",
    ),
    states: ["07", "09", "08", "06", "10"],
  },
  {
    name: "south",
    weight: 20,
    male: list(
      "Venkatesh, Srinivas, Ramakrishna, Karthik, Suresh, Ganesh, Murali, Prakash, Raghavan, Balaji, Arjun, Vignesh, Senthil, Anand, Krishna, Mahesh, Naveen, Praveen, Satish, Venkata Ramana, Sai Krishna, Subramanian",
    ),
    female: list(
      "Lakshmi, Saraswathi, Padma, Kavya, Divya, Meenakshi, Revathi, Sandhya, Anitha, Bhavani, Shalini, Deepa, Radha, Vani, Sowmya",
    ),
    surnames: list(
      "Reddy, Naidu, Rao, Iyer, Iyengar, Nair, Menon, Pillai, Krishnan, Raju, Gowda, Shetty, Hegde, Kamath, Murthy, Varma, Nambiar, Chetty",
    ),
    states: ["29", "33", "36", "37", "32"],
  },
  {
    name: "east",
    weight: 12,
    male: list(
      "Soumya, Arindam, Subhajit, Debashish, Sourav, Abhijit, Partha, Tapas, Biswajit, Sandip, Anirban, Kaushik, Sanjib, Pradeep, Amitava",
    ),
    female: list("Moumita, Sudipta, Rupa, Mousumi, Ananya, Tanushree, Sreya, Payel, Rituparna, Sharmila"),
    surnames: list(
      "Banerjee, Chatterjee, Mukherjee, Das, Ghosh, Bose, Sen, Dutta, Roy, Chakraborty, Bhattacharya, Saha, Mohanty, Patnaik, Sahoo, Biswas, Chowdhury",
    ),
    states: ["19", "21", "10", "20"],
  },
  {
    name: "west",
    weight: 17,
    male: list(
      "Sachin, Rahul, Nilesh, Mahesh, Sandeep, Prashant, Tushar, Amol, Hitesh, Jignesh, Ketan, Paresh, Bhavesh, Chirag, Mitesh, Yogesh, Ganesh",
    ),
    female: list("Snehal, Pallavi, Rupali, Komal, Hetal, Krupa, Nidhi, Jyoti, Ashwini, Manisha, Priyanka"),
    surnames: list(
      "Patil, Deshmukh, Kulkarni, Joshi, Jadhav, Pawar, Shinde, Gaikwad, Patel, Shah, Mehta, Desai, Modi, Parikh, Trivedi, Bhatt, Chavan",
    ),
    states: ["27", "24", "30"],
  },
  {
    name: "north-east",
    weight: 4,
    male: list("Pranjal, Dhruba, Bikash, Jitu, Rupam, Ibomcha, Tomba, Hemanta, Lalremruata, Vanlalhruaia"),
    female: list("Priyanka, Rashmi, Bidyarani, Tiameren, Lalrinpuii, Jonali, Bornali"),
    surnames: list(
      "Bora, Gogoi, Baruah, Saikia, Kalita, Hazarika, Deka, Sangma, Marak, Lyngdoh, Longkumer, Laishram",
    ),
    states: ["18", "14", "15", "17", "13"],
  },
  {
    name: "muslim",
    weight: 14,
    male: list(
      "Imran, Salman, Faisal, Irfan, Arif, Javed, Rashid, Shahid, Aamir, Asif, Wasim, Zubair, Sameer, Nadeem, Tariq, Abdul Rahman, Abdul Kareem",
    ),
    female: list("Fatima, Ayesha, Zainab, Nazia, Shabana, Farhana, Rukhsar, Sana, Nasreen, Shazia"),
    surnames: list(
      "Khan, Ansari, Qureshi, Sheikh, Siddiqui, Syed, Pathan, Hussain, Ahmed, Mirza, Malik, Rizvi",
    ),
    states: ["09", "27", "36", "07", "29"],
  },
  {
    name: "sikh",
    weight: 3,
    male: list(
      "Gurpreet, Harpreet, Manpreet, Jaspreet, Harjeet, Sukhwinder, Baljeet, Kulwinder, Amarjeet, Paramjit, Navjot",
    ),
    female: list("Simran, Harleen, Jasleen, Gurleen, Manjeet, Amandeep, Rajwinder"),
    surnames: list("Gill, Sandhu, Sidhu, Dhillon, Grewal, Bajwa, Randhawa, Brar"),
    states: ["03", "04", "06"],
  },
  {
    name: "christian",
    weight: 3,
    male: list(
      "John, Joseph, Thomas, George, Mathew, Jacob, Paul, Francis, Anthony, Xavier, Peter, Sebastian",
    ),
    female: list("Mary, Anna, Teresa, Elizabeth, Rosy, Jessy, Shiny, Linda, Merlin"),
    surnames: list(
      "D'Souza, Fernandes, Pereira, Rodrigues, D'Costa, Pinto, Lobo, Varghese, Kurian, Chacko, Abraham",
    ),
    states: ["32", "30", "27", "29"],
  },
];

// ---------------------------------------------------------------------------------------------
// Identifier generators

const PASSPORT_SERIES = "ABCDEFGHJKLMNPRSTUVWZ".split("");
const BANKS = ["SBIN", "HDFC", "ICIC", "UTIB", "PUNB", "BARB", "CNRB", "KKBK", "IDIB", "UBIN"];
const RTO_STATES = ["MH", "DL", "KA", "TN", "UP", "WB", "GJ", "RJ", "TS", "AP", "KL", "PB", "AS"];
const EMAIL_DOMAINS = [
  "gmail.com",
  "gmail.com",
  "gmail.com",
  "yahoo.co.in",
  "rediffmail.com",
  "outlook.com",
  "hotmail.com",
];

class Identifiers {
  private used = new Set<string>();
  constructor(private rng: Rng) {}

  /** A value unique across the data set: real identifiers have one holder. */
  private unique(make: () => string): string {
    for (;;) {
      const v = make();
      if (!this.used.has(v)) {
        this.used.add(v);
        return v;
      }
    }
  }
  pan(holderType: string, nameInitial: string): string {
    const r = this.rng;
    const initial = /^[A-Z]$/.test(nameInitial) ? nameInitial : "X";
    return this.unique(() => `${r.letters(3)}${holderType}${initial}${r.digits(4)}${r.letters(1)}`);
  }
  gstin(state: string, pan: string, entityNo = "1"): string {
    const first14 = `${state}${pan}${entityNo}Z`;
    return `${first14}${gstinCheckChar(first14)}`;
  }
  aadhaar(): string {
    return this.unique(() => {
      const body = `${this.rng.int(2, 9)}${this.rng.digits(10)}`;
      return `${body}${verhoeffCheckDigit(body)}`;
    });
  }
  mobile(): string {
    return this.unique(() => `${this.rng.int(6, 9)}${this.rng.digits(9)}`);
  }
  email(local: string, domain?: string): string {
    const r = this.rng;
    const base = local.toLowerCase().replace(/[^a-z0-9.]/g, "");
    return this.unique(() => {
      const suffix = r.chance(0.5) ? String(r.int(1, 999)) : "";
      return `${base}${suffix}@${domain ?? r.pick(EMAIL_DOMAINS)}`;
    });
  }
  passport(): string {
    return this.unique(() => `${this.rng.pick(PASSPORT_SERIES)}${this.rng.digits(7)}`);
  }
  voterId(): string {
    return this.unique(() => `${this.rng.letters(3)}${this.rng.digits(7)}`);
  }
  drivingLicence(): string {
    const r = this.rng;
    return this.unique(
      () => `${r.pick(RTO_STATES)}${String(r.int(1, 60)).padStart(2, "0")}${r.int(1995, 2022)}${r.digits(7)}`,
    );
  }
  bankAccount(): { account_number: string; ifsc: string } {
    const r = this.rng;
    return {
      account_number: this.unique(() => `${r.int(1, 9)}${r.digits(r.int(9, 15))}`),
      ifsc: `${r.pick(BANKS)}0${r.digits(6)}`,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// The people and businesses

type Person = {
  kind: "person";
  entity: string;
  community: Community;
  gender: Gender;
  first: string;
  middle: string | null;
  surname: string | null;
  /** A South Indian initial (father's or village name) written before or after the given name. */
  initial: string | null;
  dob: string;
  pan: string;
  aadhaar: string;
  mobile: string;
  email: string | null;
  passport: string | null;
  voterId: string | null;
  drivingLicence: string | null;
  bank: { account_number: string; ifsc: string } | null;
  address: string;
  /** What this record shows: a lending customer master nearly always has a PAN, less often the rest. */
  recorded: Set<string>;
};

type Business = {
  kind: "business";
  entity: string;
  legal: "proprietorship" | "partnership" | "company" | "huf" | "trust";
  name: string;
  pan: string | null; // a proprietorship has none of its own
  gstins: string[];
  mobile: string;
  email: string | null;
  bank: { account_number: string; ifsc: string } | null;
  address: string;
  officers: Person[];
};

type Holder = Person | Business;

const STREETS = list(
  "MG Road, Station Road, Gandhi Nagar, Nehru Colony, Civil Lines, Shastri Nagar, Anna Salai, Park Street, Linking Road, Sector 15",
);
const CITIES = list(
  "Mumbai, Delhi, Bengaluru, Chennai, Kolkata, Hyderabad, Pune, Ahmedabad, Lucknow, Jaipur, Guwahati, Kochi, Ludhiana, Patna, Indore",
);
const TRADES = list(
  "Traders, Enterprises, Textiles, Medical Stores, Hardware, Electricals, Jewellers, Agencies, Motors, Foods, Constructions, Steels",
);
const DEITIES = list("Balaji, Ganesh, Sai, Lakshmi, Durga, Hanuman, Krishna, Murugan, Ambika, Shiv");
const COMPANY_WORDS = list(
  "Infotech, Logistics, Agro, Pharma, Textiles, Builders, Finserv, Industries, Exports, Solutions, Polymers, Castings",
);

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

class World {
  readonly ids: Identifiers;
  private seq = 0;
  constructor(readonly rng: Rng) {
    this.ids = new Identifiers(rng);
  }

  entityId(prefix: string): string {
    return `${prefix}${String(++this.seq).padStart(5, "0")}`;
  }

  address(): string {
    const r = this.rng;
    return `${r.int(1, 999)}, ${r.pick(STREETS)}, ${r.pick(CITIES)} ${r.int(110, 999)}${r.digits(3)}`;
  }

  person(
    community: Community,
    gender: Gender,
    surname: string | null,
    address: string,
    taken: string[] = [],
  ): Person {
    const r = this.rng;
    // Two members of one family do not share a given name.
    const names = (gender === "m" ? community.male : community.female).filter((n) => !taken.includes(n));
    const first = r.pick(names.length ? names : gender === "m" ? community.male : community.female);
    let middle: string | null = null;
    let initial: string | null = null;
    if (community.name === "north" && gender === "m" && r.chance(0.2)) middle = "Kumar";
    if (community.name === "north" && gender === "f" && r.chance(0.15)) middle = r.pick(["Devi", "Kumari"]);
    if (community.name === "west" && r.chance(0.3)) middle = r.pick(community.male); // father's name
    if (community.name === "muslim" && gender === "m" && r.chance(0.3)) middle = first;
    if (community.name === "south" && surname === null) initial = r.letters(1);
    const dob = `${r.int(1950, 2004)}-${pad2(r.int(1, 12))}-${pad2(r.int(1, 28))}`;
    const nameInitial = (surname ?? first).charAt(0).toUpperCase();
    const person: Person = {
      kind: "person",
      entity: this.entityId("P"),
      community,
      gender,
      first: community.name === "muslim" && middle === first ? "Mohammed" : first,
      middle,
      surname,
      initial,
      dob,
      pan: this.ids.pan("P", nameInitial),
      aadhaar: this.ids.aadhaar(),
      mobile: this.ids.mobile(),
      email: null,
      passport: r.chance(0.1) ? this.ids.passport() : null,
      voterId: r.chance(0.25) ? this.ids.voterId() : null,
      drivingLicence: r.chance(0.2) ? this.ids.drivingLicence() : null,
      bank: r.chance(0.6) ? this.ids.bankAccount() : null,
      address,
      recorded: new Set(),
    };
    const local = r.pick([
      `${first}.${surname ?? "in"}`,
      `${first}${surname ?? ""}`,
      `${first.charAt(0)}${surname ?? first}`,
    ]);
    person.email = r.chance(0.65) ? this.ids.email(local.replace(/\s+/g, "")) : null;
    // A lender's customer master holds KYC'd people: a PAN (else a Form 60, hence not always), and
    // at least one officially valid document, most often Aadhaar (stored by many only as a hash).
    for (const [field, p] of [
      ["pan", 0.97],
      ["aadhaar", 0.7],
      ["mobile", 0.97],
      ["dob", 0.95],
    ] as const) {
      if (r.chance(p)) person.recorded.add(field);
    }
    if (!person.recorded.has("aadhaar") && !person.passport && !person.drivingLicence) {
      person.voterId ??= this.ids.voterId();
    }
    return person;
  }

  /** Surname by community; Mizo names have none, Sikh women are often just "Kaur". */
  surnameFor(community: Community, gender: Gender): string | null {
    const r = this.rng;
    if (community.name === "north-east" && r.chance(0.2)) return null;
    if (community.name === "sikh") {
      const family = r.chance(0.6) ? ` ${r.pick(community.surnames)}` : "";
      return `${gender === "m" ? "Singh" : "Kaur"}${family}`;
    }
    if (community.name === "south" && r.chance(0.45)) return null; // initial-style names
    return r.pick(community.surnames);
  }

  /** One household: a head and family members sharing surname and address, often one mobile. */
  household(size: number): Person[] {
    const r = this.rng;
    const community = r.weighted(COMMUNITIES.map((c) => [c, c.weight] as const));
    const address = this.address();
    const headGender: Gender = r.chance(0.8) ? "m" : "f";
    const surname = this.surnameFor(community, headGender);
    const head = this.person(community, headGender, surname, address);
    const members = [head];
    for (let i = 1; i < size; i++) {
      const gender: Gender = r.chance(0.5) ? "m" : "f";
      // A wife may keep her own surname; a Sikh family name goes with "Singh"/"Kaur".
      let memberSurname = surname;
      if (community.name === "sikh" && surname)
        memberSurname = surname.replace(/^(Singh|Kaur)/, gender === "m" ? "Singh" : "Kaur");
      else if (r.chance(0.12)) memberSurname = this.surnameFor(community, gender);
      const taken = members.flatMap((m) => [m.first, m.middle ?? ""]);
      const member = this.person(community, gender, memberSurname, address, taken);
      // Dependants often give the earner's number and sometimes email; spouses hold joint accounts.
      if (r.chance(0.3)) member.mobile = head.mobile;
      if (head.email && r.chance(0.08)) member.email = head.email;
      if (i === 1 && head.bank && r.chance(0.15)) member.bank = head.bank;
      if (i >= 2 && r.chance(0.05)) member.dob = (members[members.length - 1] as Person).dob; // twins
      members.push(member);
    }
    return members;
  }

  business(legal: Business["legal"], officers: Person[]): Business {
    const r = this.rng;
    const lead = officers[0] as Person;
    const state = r.pick(lead.community.states);
    const surname = lead.surname?.replace(/^(Singh|Kaur) ?/, "") || lead.first;
    let name: string;
    let pan: string | null;
    switch (legal) {
      case "proprietorship":
        name = r.pick([
          `${surname} ${r.pick(TRADES)}`,
          `Sri ${r.pick(DEITIES)} ${r.pick(TRADES)}`,
          `${lead.first} ${r.pick(TRADES)}`,
          `New ${surname} ${r.pick(TRADES)}`,
        ]);
        pan = null;
        break;
      case "partnership":
        name = r.pick([
          `${surname} & Sons`,
          `${surname} Brothers`,
          `${r.pick(DEITIES)} ${r.pick(TRADES)}`,
          `${surname} & Associates`,
        ]);
        pan = this.ids.pan("F", name.charAt(0));
        break;
      case "company":
        name = `${r.pick([surname, r.pick(DEITIES), r.letters(2), lead.first])} ${r.pick(COMPANY_WORDS)} ${r.pick(["Private Limited", "Pvt. Ltd.", "Pvt Ltd", "Limited"])}`;
        pan = this.ids.pan("C", name.charAt(0));
        break;
      case "huf":
        name = `${lead.first} ${lead.surname ?? ""} HUF`.replace(/\s+/g, " ");
        pan = this.ids.pan("H", name.charAt(0));
        break;
      case "trust":
        name = `${r.pick(DEITIES)} ${r.pick(["Charitable Trust", "Education Trust", "Seva Trust"])}`;
        pan = this.ids.pan("T", name.charAt(0));
        break;
    }
    const gstPan = pan ?? lead.pan;
    const gstins =
      legal === "huf" || legal === "trust" || r.chance(0.1) ? [] : [this.ids.gstin(state, gstPan)];
    if (legal === "company" && gstins.length && r.chance(0.15)) {
      const other = r.pick(COMMUNITIES.flatMap((c) => c.states).filter((s) => s !== state));
      gstins.push(this.ids.gstin(other, gstPan));
    }
    const domain = `${
      name
        .split(" ")[0]
        ?.toLowerCase()
        .replace(/[^a-z]/g, "") || "firm"
    }${r.digits(2)}.in`;
    return {
      kind: "business",
      entity: legal === "proprietorship" ? lead.entity : this.entityId("B"),
      legal,
      name,
      pan,
      gstins,
      // Small businesses give the owner's or a director's mobile as often as not.
      mobile: r.chance(legal === "company" ? 0.4 : 0.7) ? lead.mobile : this.ids.mobile(),
      email: r.chance(0.6) ? this.ids.email(r.pick(["accounts", "info", "office", "contact"]), domain) : null,
      bank: r.chance(0.7) ? this.ids.bankAccount() : null,
      address: r.chance(0.5) ? lead.address : this.address(),
      officers,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting variants of one identifier, and prop-key aliases

const KEY_ALIASES: Record<string, string[]> = {
  pan: ["pan", "PAN", "pan_no", "PAN No", "pan-number", "Pan Number"],
  gstin: ["gstin", "GSTIN", "gst_no", "GST No"],
  aadhaar: ["aadhaar", "aadhaar_no", "Aadhaar No", "aadhar"],
  mobile: ["mobile", "phone", "phone_no", "Mobile", "Phone No", "mobile_number"],
  email: ["email", "Email", "email_id"],
  passport: ["passport", "passport_no", "Passport No"],
  voter_id: ["voter_id", "epic", "EPIC No", "epic_no"],
  driving_licence: ["driving_licence", "driving_license", "dl_no", "DL No"],
  dob: ["dob", "date_of_birth", "DOB", "Date of Birth"],
};

const MONTH_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH_LONG = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** One of the ways people write this identifier on a form. */
function formatValue(r: Rng, kind: string, v: string): string {
  const spaced = (parts: number[]) => {
    let i = 0;
    const chunks: string[] = [];
    for (const n of parts) {
      chunks.push(v.slice(i, i + n));
      i += n;
    }
    return chunks.join(r.pick([" ", "-"]));
  };
  switch (kind) {
    case "pan":
      return r.pick([v.toLowerCase(), spaced([5, 4, 1]), ` ${v} `, v]);
    case "gstin":
      return r.pick([v.toLowerCase(), `${v.slice(0, 2)} ${v.slice(2, 12)} ${v.slice(12)}`, v]);
    case "aadhaar":
      return r.pick([spaced([4, 4, 4]), v]);
    case "mobile":
      return r.pick([
        `+91 ${v.slice(0, 5)} ${v.slice(5)}`,
        `0${v.slice(0, 5)}-${v.slice(5)}`,
        `+91-${v}`,
        `91${v}`,
        `(+91) ${v}`,
        `${v.slice(0, 3)}-${v.slice(3, 6)}-${v.slice(6)}`,
        v,
      ]);
    case "email":
      return r.pick([v.toUpperCase(), ` ${v}`, v.replace(/^./, (c) => c.toUpperCase())]);
    case "passport":
      return r.pick([v.toLowerCase(), `${v[0]} ${v.slice(1)}`, v]);
    case "voter_id":
      return r.pick([v.toLowerCase(), `${v.slice(0, 3)} ${v.slice(3)}`, `${v.slice(0, 3)}/${v.slice(3)}`]);
    case "driving_licence":
      return r.pick([
        `${v.slice(0, 4)} ${v.slice(4)}`,
        `${v.slice(0, 2)}-${v.slice(2, 4)}-${v.slice(4, 8)}-${v.slice(8)}`,
        v.toLowerCase(),
      ]);
    case "dob": {
      const [y, m, d] = v.split("-") as [string, string, string];
      const mi = Number(m) - 1;
      return r.pick([
        `${d}/${m}/${y}`,
        `${d}-${m}-${y}`,
        `${d}.${m}.${y}`,
        `${Number(d)} ${MONTH_SHORT[mi]} ${y}`,
        `${d} ${MONTH_LONG[mi]} ${y}`,
        v,
      ]);
    }
    default:
      return v;
  }
}

// ---------------------------------------------------------------------------------------------
// Name variants

/** Romanisation variants seen in Indian records, each a (pattern, replacement) on a lower-case name. */
const TRANSLITERATIONS: [RegExp, string][] = [
  [/sh/, "s"],
  [/s(?!h)/, "sh"],
  [/ee/, "i"],
  [/i(?!$)/, "ee"],
  [/oo/, "u"],
  [/u/, "oo"],
  [/th/, "t"],
  [/t(?!h)/, "th"],
  [/aa/, "a"],
  [/v/, "w"],
  [/ksh/, "x"],
  [/x/, "ksh"],
  [/([a-z])\1/, "$1"],
  [/([lnmt])([aeiou])/, "$1$1$2"],
  [/ya$/, "yaa"],
  [/y$/, "i"],
  [/au/, "ou"],
  [/ou/, "au"],
  [/ow/, "ou"],
  [/jee$/, "ji"],
  [/dh/, "d"],
  [/bh/, "b"],
  [/kh/, "k"],
  [/ph/, "f"],
  [/a$/, ""],
];

const WHOLE_VARIANTS: string[][] = [
  ["Mohammed", "Mohammad", "Muhammad", "Mohd.", "Md."],
  ["Chaudhary", "Choudhary", "Chaudhari", "Choudhury"],
  ["Chowdhury", "Choudhury", "Chaudhuri"],
  ["Lakshmi", "Laxmi", "Lakshmy"],
  ["Srinivas", "Shrinivas", "Sreenivas", "Srinivasa"],
  ["Subramanian", "Subramaniam", "Subramanyam"],
  ["Satish", "Sathish"],
  ["Saraswathi", "Saraswati"],
  ["Reddy", "Reddi"],
  ["D'Souza", "Dsouza", "D Souza"],
  ["D'Costa", "Dcosta", "D Costa"],
  ["Venkata Ramana", "Venkataramana", "Venkat Ramana"],
  ["Sai Krishna", "Saikrishna"],
  ["Ramakrishna", "Rama Krishna", "Ramkrishna"],
  ["Abdul Rahman", "Abdul Rehman", "Abdurrahman"],
  ["Abdul Kareem", "Abdul Karim"],
  ["Pvt. Ltd.", "Private Limited", "Pvt Ltd"],
  ["Private Limited", "Pvt. Ltd.", "Pvt Ltd", "P. Ltd."],
  ["Pvt Ltd", "Private Limited", "Pvt. Ltd."],
  ["&", "and", "And"],
];

function transliterate(r: Rng, word: string): string {
  const lower = word.toLowerCase();
  const applicable = TRANSLITERATIONS.filter(([re]) => re.test(lower.slice(1)));
  if (!applicable.length) return word;
  const [re, to] = r.pick(applicable);
  // Leave the first letter alone: romanisations differ inside a name, rarely at its start.
  const changed = lower.charAt(0) + lower.slice(1).replace(re, to);
  return changed.charAt(0).toUpperCase() + changed.slice(1);
}

function typo(r: Rng, word: string): string {
  if (word.length < 4) return word;
  const i = r.int(1, word.length - 2);
  const chars = word.split("");
  switch (r.int(0, 3)) {
    case 0:
      chars[i] = String.fromCharCode(97 + r.int(0, 25));
      break;
    case 1:
      chars.splice(i, 1);
      break;
    case 2:
      [chars[i], chars[i + 1]] = [chars[i + 1] as string, chars[i] as string];
      break;
    default:
      chars.splice(i, 0, chars[i] as string);
  }
  return chars.join("");
}

function recase(r: Rng, name: string): string {
  return r.weighted([
    [name, 5],
    [name.toUpperCase(), 3],
    [name.toLowerCase(), 1],
  ]);
}

function personName(p: Person, r: Rng, variant: boolean): string {
  let first = p.first;
  let middle = p.middle;
  let surname = p.surname;
  let initial = p.initial;
  const honorific =
    p.gender === "m" ? ["Mr.", "Shri", "Sri", "Mr", "Dr."] : ["Mrs.", "Smt.", "Ms.", "Kumari", "Ms"];
  let prefix = "";
  let surnameFirst = false;
  if (variant) {
    const edits = r.int(1, 3);
    for (let e = 0; e < edits; e++) {
      const op = r.weighted([
        ["honorific", 3],
        ["whole", 3],
        ["transliterate", 4],
        ["typo", 2],
        ["dropMiddle", 2],
        ["middleInitial", 2],
        ["firstInitial", 1],
        ["surnameFirst", 2],
        ["initialExpand", 1],
      ] as const);
      const whole = (s: string | null) => {
        if (!s) return s;
        // Whole-word groups only: "&" for "and" must not turn "Sandeep" into "S&eep".
        const group = WHOLE_VARIANTS.find((g) => !g.includes("&") && g.some((w) => s.includes(w)));
        const from = group?.find((w) => s.includes(w));
        return group && from ? s.replace(from, r.pick(group.filter((w) => w !== from))) : s;
      };
      switch (op) {
        case "honorific":
          prefix = r.pick(honorific);
          break;
        case "whole":
          first = whole(first) as string;
          surname = whole(surname);
          break;
        case "transliterate":
          if (surname && r.chance(0.5))
            surname = surname
              .split(" ")
              .map((w) => transliterate(r, w))
              .join(" ");
          else
            first = first
              .split(" ")
              .map((w) => transliterate(r, w))
              .join(" ");
          break;
        case "typo":
          if (surname && r.chance(0.4)) surname = typo(r, surname);
          else first = typo(r, first);
          break;
        case "dropMiddle":
          middle = null;
          break;
        case "middleInitial":
          if (middle) middle = `${middle.charAt(0)}.`;
          break;
        case "firstInitial":
          // "R. Sharma": only when a surname and something else still identify the person.
          if (surname && middle) first = `${first.charAt(0)}.`;
          break;
        case "surnameFirst":
          surnameFirst = true;
          break;
        case "initialExpand":
          if (initial) initial = null; // the initial left off
          break;
      }
    }
  }
  const given = [first, middle].filter(Boolean).join(" ");
  let name: string;
  if (initial) name = r.chance(0.6) ? `${initial}. ${given}` : `${given} ${initial}`;
  else if (!surname) name = given;
  else name = surnameFirst ? `${surname} ${given}` : `${given} ${surname}`;
  if (prefix) name = `${prefix} ${name}`;
  return variant ? recase(r, name) : name;
}

function businessName(b: Business, r: Rng, variant: boolean): string {
  if (!variant) return b.name;
  let name = b.name;
  const edits = r.int(1, 2);
  for (let e = 0; e < edits; e++) {
    const op = r.weighted([
      ["ms", 3],
      ["suffix", 3],
      ["typo", 2],
      ["transliterate", 2],
    ] as const);
    if (op === "ms") name = `${r.pick(["M/s", "M/s.", "M/S", "Messrs"])} ${name}`;
    else if (op === "suffix") {
      const group = WHOLE_VARIANTS.find((g) => g.some((w) => name.includes(w)));
      const from = group?.find((w) => name.includes(w));
      if (group && from) name = name.replace(from, r.pick(group.filter((w) => w !== from)));
    } else {
      const words = name.split(" ");
      const i = r.int(0, words.length - 1);
      const word = words[i] as string;
      if (/^[A-Za-z]{4,}$/.test(word)) words[i] = op === "typo" ? typo(r, word) : transliterate(r, word);
      name = words.join(" ");
    }
  }
  return recase(r, name);
}

// ---------------------------------------------------------------------------------------------
// Records

type Field = { kind: string; value: string };

function personFields(p: Person): Field[] {
  const fields: Field[] = [];
  if (p.recorded.has("pan")) fields.push({ kind: "pan", value: p.pan });
  if (p.recorded.has("aadhaar")) fields.push({ kind: "aadhaar", value: p.aadhaar });
  if (p.recorded.has("mobile")) fields.push({ kind: "mobile", value: p.mobile });
  if (p.email) fields.push({ kind: "email", value: p.email });
  if (p.passport) fields.push({ kind: "passport", value: p.passport });
  if (p.voterId) fields.push({ kind: "voter_id", value: p.voterId });
  if (p.drivingLicence) fields.push({ kind: "driving_licence", value: p.drivingLicence });
  if (p.recorded.has("dob")) fields.push({ kind: "dob", value: p.dob });
  return fields;
}

function businessFields(b: Business): Field[] {
  const fields: Field[] = [];
  if (b.pan) fields.push({ kind: "pan", value: b.pan });
  for (const g of b.gstins) fields.push({ kind: "gstin", value: g });
  fields.push({ kind: "mobile", value: b.mobile });
  if (b.email) fields.push({ kind: "email", value: b.email });
  return fields;
}

/** Flip one character of a PAN to another of the same class: a keying error that stays well-formed. */
function panKeyingError(r: Rng, pan: string): string {
  const positions = [0, 1, 2, 5, 6, 7, 8, 9]; // the holder type and name initial are rarely mistyped
  const i = r.pick(positions);
  const c = pan.charAt(i);
  const pool = /[0-9]/.test(c) ? "0123456789" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let next = c;
  while (next === c) next = r.pick(pool.split(""));
  return pan.slice(0, i) + next + pan.slice(i + 1);
}

function toContact(
  world: World,
  holder: Holder,
  id: string,
  variant: "original" | "full" | "partial" | "sparse" | "dob",
): SyntheticContact {
  const r = world.rng;
  const isDup = variant !== "original";
  let fields = holder.kind === "person" ? personFields(holder) : businessFields(holder);
  let bank = holder.bank;
  if (variant === "partial") {
    fields = fields.filter(() => r.chance(0.6));
    if (r.chance(0.5)) bank = null;
  } else if (variant === "full") {
    fields = fields.filter(() => r.chance(0.85));
    if (r.chance(0.3)) bank = null;
  } else if (variant === "dob") {
    // Nothing but the name and the date of birth: a record re-keyed from a form without documents.
    fields = fields.filter((f) => f.kind === "dob");
    bank = null;
  } else if (variant === "sparse") {
    // A lead captured before KYC: a name and a way to call back.
    fields = fields.filter((f) => f.kind === "mobile" || (f.kind === "email" && r.chance(0.5)));
    bank = null;
  }
  if (isDup && bank && r.chance(0.1)) bank = world.ids.bankAccount(); // another loan, another account
  if (isDup) {
    fields = fields.map((f) => {
      // People change numbers and give another email; a keyed PAN is occasionally one character off.
      if (f.kind === "mobile" && r.chance(0.12)) return { ...f, value: world.ids.mobile() };
      if (f.kind === "email" && r.chance(0.08)) {
        const local = holder.kind === "person" ? `${holder.first}${holder.surname ?? ""}` : "office";
        return { ...f, value: world.ids.email(local.replace(/[^a-z]/gi, "")) };
      }
      if (f.kind === "pan" && r.chance(0.03)) return { ...f, value: panKeyingError(r, f.value) };
      return f;
    });
  }
  const props = fields.map((f) => ({
    key: isDup ? r.pick(KEY_ALIASES[f.kind] as string[]) : ((KEY_ALIASES[f.kind] as string[])[0] as string),
    // Originals are half clean (KYC-verified), half as keyed; duplicates always as keyed.
    value: !isDup && r.chance(0.5) ? f.value : formatValue(r, f.kind, f.value),
  }));
  if (r.chance(isDup ? 0.5 : 0.8)) props.push({ key: "address", value: holder.address });
  if (holder.kind === "person" && r.chance(0.3)) {
    props.push({
      key: "occupation",
      value: r.pick(["Salaried", "Self-employed", "Business", "Farmer", "Retired"]),
    });
  }
  const banks = bank
    ? [
        {
          account_number:
            isDup && r.chance(0.3)
              ? bank.account_number.replace(/(\d{4})(?=\d)/g, "$1 ")
              : bank.account_number,
          ifsc: isDup && r.chance(0.3) ? bank.ifsc.toLowerCase() : bank.ifsc,
        },
      ]
    : [];
  const name = holder.kind === "person" ? personName(holder, r, isDup) : businessName(holder, r, isDup);
  const type = holder.kind === "person" ? "individual" : "corporate";
  return {
    id,
    entity: holder.entity,
    name,
    type: isDup && r.chance(0.1) ? null : type,
    props,
    banks,
    origin: isDup ? `duplicate:${variant}` : holder.kind === "person" ? "person" : holder.legal,
    tags: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Names in Indic scripts

export const SCRIPTS = [
  ["devanagari", 0x0900],
  ["bengali", 0x0980],
  ["gurmukhi", 0x0a00],
  ["gujarati", 0x0a80],
  ["odia", 0x0b00],
  ["tamil", 0x0b80],
  ["telugu", 0x0c00],
  ["kannada", 0x0c80],
  ["malayalam", 0x0d00],
] as const;
type Script = (typeof SCRIPTS)[number][0];

// Latin sounds to the ISCII offsets all nine scripts share (written independently of the matcher's
// romanisation table: this is how a clerk spells a spoken name, with the scripts' own gaps below).
const SOUND_CONSONANTS: [string, number][] = [
  ["ksh", -1],
  ["chh", 0x1b],
  ["kh", 0x16],
  ["gh", 0x18],
  ["ch", 0x1a],
  ["jh", 0x1d],
  ["th", 0x25],
  ["dh", 0x27],
  ["ph", 0x2b],
  ["bh", 0x2d],
  ["sh", 0x36],
  ["k", 0x15],
  ["g", 0x17],
  ["c", 0x15],
  ["j", 0x1c],
  ["t", 0x24],
  ["d", 0x26],
  ["n", 0x28],
  ["p", 0x2a],
  ["f", 0x2b],
  ["b", 0x2c],
  ["m", 0x2e],
  ["y", 0x2f],
  ["r", 0x30],
  ["l", 0x32],
  ["v", 0x35],
  ["w", 0x35],
  ["s", 0x38],
  ["h", 0x39],
  ["z", 0x1c],
  ["q", 0x15],
  ["x", -1],
];
// [sound, independent vowel offset, vowel sign offset (0: the inherent vowel)]
const SOUND_VOWELS: [string, number, number][] = [
  ["aa", 0x06, 0x3e],
  ["ee", 0x08, 0x40],
  ["ii", 0x08, 0x40],
  ["oo", 0x0a, 0x42],
  ["uu", 0x0a, 0x42],
  ["ai", 0x10, 0x48],
  ["au", 0x14, 0x4c],
  ["ou", 0x14, 0x4c],
  ["a", 0x05, 0],
  ["i", 0x07, 0x3f],
  ["u", 0x09, 0x41],
  ["e", 0x0f, 0x47],
  ["o", 0x13, 0x4b],
];
/** A letter a script lacks, by the nearest one it has (Tamil has no voiced or aspirated stops). */
const NEAREST: Record<number, number> = {
  22: 0x15,
  23: 0x15,
  24: 0x17,
  27: 0x1a,
  29: 0x1c,
  28: 0x1a,
  32: 0x1f,
  33: 0x1f,
  34: 0x21,
  37: 0x24,
  38: 0x24,
  39: 0x26,
  43: 0x2a,
  44: 0x2a,
  45: 0x2c,
  53: 0x2c,
  55: 0x36,
  54: 0x38,
};
const SOUTHERN = new Set<Script>(["tamil", "telugu", "kannada", "malayalam"]);
const unassigned = /\p{Cn}/u;

function letter(base: number, offset: number): string {
  let o = offset;
  while (unassigned.test(String.fromCodePoint(base + o)) && NEAREST[o] !== undefined)
    o = NEAREST[o] as number;
  return String.fromCodePoint(base + o);
}

/** A Latin-spelled name written in an Indic script, as people write their own names. */
export function toScript(r: Rng, name: string, script: Script): string {
  const base = (SCRIPTS.find(([s]) => s === script) as readonly [Script, number])[1];
  const virama = String.fromCodePoint(base + 0x4d);
  return name
    .toLowerCase()
    .replace(/[^a-z ]/g, "")
    .replace(/x/g, "ks")
    .replace(/(?:ow|ou|au)/g, "au") // "Sowmya" is "सौम्या"
    .replace(/([^aeiou ])y\b/g, "$1i") // "Murthy" is "मूर्ति"
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => {
      let out = "";
      let i = 0;
      let consonantOpen = false; // a consonant written, its vowel not yet
      while (i < word.length) {
        const vowel = SOUND_VOWELS.find(([v]) => word.startsWith(v, i));
        if (vowel) {
          const [v, independent, sign] = vowel;
          i += v.length;
          const final = i === word.length && v === "a";
          if (consonantOpen) {
            // A final "a" of a northern name is long ("शर्मा"); southern scripts keep it short.
            if (final && !SOUTHERN.has(script) && r.chance(0.7)) out += letter(base, 0x3e);
            else if (sign) out += letter(base, sign);
          } else out += letter(base, independent);
          consonantOpen = false;
          continue;
        }
        const consonant = SOUND_CONSONANTS.find(([c]) => word.startsWith(c, i));
        if (!consonant) {
          i++;
          continue;
        }
        const [c, offset] = consonant;
        i += c.length;
        if (consonantOpen) out += virama;
        if (c === "ksh") out += `${letter(base, 0x15)}${virama}${letter(base, 0x37)}`;
        else if (c === "s" && script === "tamil" && r.chance(0.5)) out += letter(base, 0x1a);
        else if (
          c === "n" &&
          script === "devanagari" &&
          i < word.length &&
          !SOUND_VOWELS.some(([v]) => word.startsWith(v, i)) &&
          r.chance(0.5)
        ) {
          out += letter(base, 0x02); // anusvara: "संजय"
          continue;
        } else out += letter(base, offset);
        consonantOpen = true;
      }
      // A final consonant: silent vowel in the north, an explicit virama (pulli) in the south.
      if (consonantOpen && SOUTHERN.has(script)) out += virama;
      return out;
    })
    .join(" ");
}

// ---------------------------------------------------------------------------------------------
// The data set

/** A person's name as written in full, without honorific or initial: what a clerk writes in a script. */
function plainName(p: Person): string {
  return [p.first, p.middle, p.surname].filter(Boolean).join(" ");
}

export function generateDataset(options: {
  contacts: number;
  seed: number;
  duplicateRate?: number;
}): Dataset {
  const rng = new Rng(options.seed);
  const world = new World(rng);
  const duplicates = Math.round(options.contacts * (options.duplicateRate ?? 0.1));
  // Of the duplicates, 40% are the hard cases of issue 15: Indic scripts, initials, surname typos,
  // records with nothing but a name and a date of birth. 3% of the contacts are hard negatives.
  const targeted = Math.round(duplicates * 0.4);
  const hardNegatives = Math.round(options.contacts * 0.03);
  const originalsWanted = options.contacts - duplicates - hardNegatives;

  const holders: Holder[] = [];
  const relations = new Map<string, string>();
  const related: [Holder, Holder, string][] = [];
  while (holders.length < originalsWanted) {
    const size = rng.weighted([
      [1, 55],
      [2, 25],
      [3, 12],
      [4, 8],
    ] as const);
    const family = world.household(size);
    for (let i = 0; i < family.length; i++) {
      for (let j = i + 1; j < family.length; j++) related.push([family[i]!, family[j]!, "household"]);
    }
    holders.push(...family);
    // About one contact in seven is a business, run by someone already in the book.
    if (rng.chance(0.3)) {
      const legal = rng.weighted([
        ["proprietorship", 40],
        ["partnership", 20],
        ["company", 30],
        ["huf", 5],
        ["trust", 5],
      ] as const);
      const officers = legal === "partnership" || legal === "company" ? family.slice(0, 2) : [family[0]!];
      const business = world.business(legal, officers);
      // Officers are KYC'd as guarantors, and hold a PAN by law (a DIN, a GST registration and a
      // partnership's returns all need one): their records nearly always show it.
      for (const officer of officers) if (rng.chance(0.98)) officer.recorded.add("pan");
      holders.push(business);
      for (const member of family) {
        if (officers.includes(member)) {
          if (legal !== "proprietorship") related.push([business, member, "officer"]);
        } else related.push([business, member, "officer's family"]);
      }
    }
  }
  holders.length = originalsWanted;

  const contacts: SyntheticContact[] = [];
  const byHolder = new Map<Holder, SyntheticContact[]>();
  const add = (
    holder: Holder,
    variant: "original" | "full" | "partial" | "sparse" | "dob",
    name?: string,
    tags: string[] = [],
  ) => {
    const contact = toContact(world, holder, `C${String(contacts.length + 1).padStart(5, "0")}`, variant);
    if (name !== undefined) contact.name = name;
    contact.tags = tags;
    contacts.push(contact);
    byHolder.set(holder, [...(byHolder.get(holder) ?? []), contact]);
  };
  for (const holder of holders) add(holder, "original");
  for (let i = 0; i < duplicates - targeted; i++) {
    const holder = rng.pick(holders);
    add(
      holder,
      rng.weighted([
        ["full", 75],
        ["partial", 20],
        ["sparse", 5],
      ] as const),
    );
  }

  // The hard cases: a duplicate of a person whose name is cut to an initial, mistyped in the surname,
  // written in an Indic script, or re-keyed with nothing but name and date of birth.
  // Proprietors are left out: their firm's record shares nothing with a name-and-date-of-birth record
  // of them, so those pairs would measure the firm link (already in the set), not names.
  const proprietors = new Set(
    holders
      .filter((h): h is Business => h.kind === "business" && h.legal === "proprietorship")
      .map((b) => b.officers[0]),
  );
  const people = holders.filter((h): h is Person => h.kind === "person" && !proprietors.has(h));
  const withSurname = people.filter((p) => p.surname && p.surname.length >= 4 && !p.surname.includes(" "));
  const evidence = (p: Person) => (p.recorded.has("dob") && rng.chance(0.6) ? "dob" : "partial");
  const initialOf = (p: Person) => rng.pick([`${p.first.charAt(0)}.`, p.first.charAt(0)]);
  const scriptOf = () => rng.pick(SCRIPTS)[0];
  for (let i = 0; i < targeted; i++) {
    const kind = rng.weighted([
      ["initials", 20],
      ["surname-typo", 20],
      ["name+dob", 15],
      ["cross-script", 30],
      ["same-script", 15],
    ] as const);
    if (kind === "initials") {
      const p = rng.pick(withSurname);
      const name = [initialOf(p), p.middle, p.surname].filter(Boolean).join(" ");
      add(p, evidence(p), recase(rng, name), ["initials"]);
    } else if (kind === "surname-typo") {
      const p = rng.pick(withSurname);
      const surname = typo(rng, p.surname as string);
      const name = [p.first, p.middle, surname].filter(Boolean).join(" ");
      add(p, evidence(p), recase(rng, name), surname === p.surname ? [] : ["surname-typo"]);
    } else if (kind === "name+dob") {
      const p = rng.pick(people.filter((q) => q.recorded.has("dob")));
      add(p, "dob", personName(p, rng, true), []);
    } else if (kind === "cross-script") {
      const p = rng.pick(people);
      const script = scriptOf();
      add(p, evidence(p), toScript(rng, plainName(p), script), [`script:${script}`]);
    } else {
      // A person whose records are both in one script, spelt differently (or a part dropped).
      const base = rng.pick(people);
      const p = world.person(base.community, base.gender, base.surname, world.address());
      const script = scriptOf();
      add(p, "original", toScript(rng, plainName(p), script), [`script:${script}`]);
      const variant = { ...p, middle: rng.chance(0.5) ? null : p.middle, first: transliterate(rng, p.first) };
      add(p, evidence(p), toScript(rng, plainName(variant), script), [`script:${script}`]);
    }
  }

  // Hard negatives: different people whose names look like one of the above. They must not be
  // reported as duplicates (siblings sharing a phone are links, not duplicates).
  const hard: [Holder, Holder, string][] = [];
  for (let made = 0; made < hardNegatives; ) {
    const kind = rng.pick([
      "initials",
      "surname-typo",
      "name+dob",
      "script",
      "cross-script",
      "siblings",
      "house",
    ] as const);
    const p = rng.pick(withSurname);
    const other = (address = world.address()) =>
      world.person(p.community, p.gender, p.surname, address, [p.first]);
    if (kind === "initials") {
      // Two different "S. Kumar"s, and a Suresh Kumar who is neither.
      const sameInitial = (p.gender === "m" ? p.community.male : p.community.female).filter(
        (n) => n !== p.first && n.charAt(0) === p.first.charAt(0),
      );
      if (!sameInitial.length) continue;
      const q = { ...other(), first: rng.pick(sameInitial), middle: null };
      const q2 = { ...other(), first: rng.pick(sameInitial), middle: null };
      add(q, "original", `${q.first.charAt(0)}. ${q.surname}`, ["initials"]);
      add(q2, "original", `${q2.first.charAt(0)} ${q2.surname}`, ["initials"]);
      hard.push([p, q, "hard:initials"], [p, q2, "hard:initials"], [q, q2, "hard:initials"]);
      made += 2;
    } else if (kind === "surname-typo") {
      // "Sanjeev Rajput" and a Sanjeev Rajpur born another day.
      const q = { ...other(), first: p.first, middle: p.middle, surname: typo(rng, p.surname as string) };
      if (q.surname === p.surname) continue;
      add(q, "original", plainName(q), []);
      hard.push([p, q, "hard:surname-typo"]);
      made++;
    } else if (kind === "name+dob") {
      // A namesake born the same day: only documents tell them apart.
      const q = { ...other(), first: p.first, middle: p.middle, dob: p.dob };
      add(q, "original", plainName(q), []);
      hard.push([p, q, "hard:name+dob"]);
      made++;
    } else if (kind === "script" || kind === "cross-script") {
      // A namesake in a script: of a Latin record (cross-script), or two in one script.
      const script = scriptOf();
      const q = { ...other(), first: p.first, middle: p.middle };
      add(q, "original", toScript(rng, plainName(q), script), [`script:${script}`]);
      if (kind === "cross-script") hard.push([p, q, "hard:cross-script"]);
      else {
        const q2 = { ...other(), first: p.first, middle: p.middle };
        add(q2, "original", toScript(rng, plainName(q2), script), [`script:${script}`]);
        hard.push([q, q2, "hard:script"]);
        made++;
      }
      made++;
    } else if (kind === "house") {
      // A brother or sister at the same house whose given name starts alike ("Rajesh" / "Rakesh"),
      // often a letter apart, sometimes written with the initial only, half the time with no date of
      // birth on record: what a shared address and a similar name cannot tell from one person.
      const sameInitial = (p.gender === "m" ? p.community.male : p.community.female).filter(
        (n) => n !== p.first && n.charAt(0) === p.first.charAt(0),
      );
      if (!sameInitial.length) continue;
      const q = { ...other(p.address), first: rng.pick(sameInitial), middle: p.middle };
      if (rng.chance(0.5)) q.recorded.delete("dob");
      const initial = rng.chance(0.3);
      const name = initial
        ? `${q.first.charAt(0)}. ${[q.middle, q.surname].filter(Boolean).join(" ")}`
        : plainName(q);
      add(q, "original", name, initial ? ["initials"] : []);
      hard.push([p, q, "hard:house"]);
      made++;
    } else {
      // A sibling at the same address, often on the same phone, sometimes written in a script.
      const q = other(p.address);
      if (rng.chance(0.6)) q.mobile = p.mobile;
      const script = rng.chance(0.3) ? scriptOf() : null;
      add(
        q,
        "original",
        script ? toScript(rng, plainName(q), script) : plainName(q),
        script ? [`script:${script}`] : [],
      );
      hard.push([p, q, "hard:siblings"]);
      made++;
    }
  }
  for (const [a, b, label] of [...related, ...hard]) {
    for (const ca of byHolder.get(a) ?? []) {
      for (const cb of byHolder.get(b) ?? []) relations.set(pairKey(ca.id, cb.id), label);
    }
  }
  // Shuffle so duplicates are not all at the end (the index must not depend on insertion order).
  for (let i = contacts.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [contacts[i], contacts[j]] = [contacts[j]!, contacts[i]!];
  }
  return { contacts, relations };
}

/** Every unordered pair of contacts of one entity: the duplicates a perfect dedupe would report. */
export function truePairs(contacts: SyntheticContact[]): Set<string> {
  const byEntity = new Map<string, string[]>();
  for (const c of contacts) byEntity.set(c.entity, [...(byEntity.get(c.entity) ?? []), c.id]);
  const pairs = new Set<string>();
  for (const ids of byEntity.values()) {
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) pairs.add(pairKey(ids[i]!, ids[j]!));
    }
  }
  return pairs;
}
