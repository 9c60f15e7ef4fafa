/**
 * Azure regions and the IANA time zone of each region's geography. Site Recovery runs its
 * update job daily at 12:00 AM in the time zone of the replicated machines' region, and Azure
 * Automation schedules take IANA zone names, so this table turns a source region into a zone.
 */
export interface RegionInfo {
  /** The IANA time zone of the region's geography. */
  readonly timeZone: string;
  /** The cloud the region belongs to. */
  readonly cloud: 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';
}

const pub = (timeZone: string): RegionInfo => ({ timeZone, cloud: 'AzureCloud' });
const gov = (timeZone: string): RegionInfo => ({ timeZone, cloud: 'AzureUSGovernment' });
const china = (timeZone: string): RegionInfo => ({ timeZone, cloud: 'AzureChinaCloud' });

/** Region name (the `location` form: lower case, no spaces) to region facts. */
export const REGIONS: Readonly<Record<string, RegionInfo>> = Object.freeze({
  // Americas
  eastus: pub('America/New_York'),
  eastus2: pub('America/New_York'),
  centralus: pub('America/Chicago'),
  northcentralus: pub('America/Chicago'),
  southcentralus: pub('America/Chicago'),
  westcentralus: pub('America/Denver'),
  westus: pub('America/Los_Angeles'),
  westus2: pub('America/Los_Angeles'),
  westus3: pub('America/Phoenix'),
  canadacentral: pub('America/Toronto'),
  canadaeast: pub('America/Toronto'),
  brazilsouth: pub('America/Sao_Paulo'),
  brazilsoutheast: pub('America/Sao_Paulo'),
  mexicocentral: pub('America/Mexico_City'),
  chilecentral: pub('America/Santiago'),
  // Europe
  northeurope: pub('Europe/Dublin'),
  westeurope: pub('Europe/Amsterdam'),
  uksouth: pub('Europe/London'),
  ukwest: pub('Europe/London'),
  francecentral: pub('Europe/Paris'),
  francesouth: pub('Europe/Paris'),
  germanywestcentral: pub('Europe/Berlin'),
  germanynorth: pub('Europe/Berlin'),
  switzerlandnorth: pub('Europe/Zurich'),
  switzerlandwest: pub('Europe/Zurich'),
  norwayeast: pub('Europe/Oslo'),
  norwaywest: pub('Europe/Oslo'),
  swedencentral: pub('Europe/Stockholm'),
  swedensouth: pub('Europe/Stockholm'),
  polandcentral: pub('Europe/Warsaw'),
  italynorth: pub('Europe/Rome'),
  spaincentral: pub('Europe/Madrid'),
  austriaeast: pub('Europe/Vienna'),
  belgiumcentral: pub('Europe/Brussels'),
  denmarkeast: pub('Europe/Copenhagen'),
  // Middle East and Africa
  israelcentral: pub('Asia/Jerusalem'),
  qatarcentral: pub('Asia/Qatar'),
  uaenorth: pub('Asia/Dubai'),
  uaecentral: pub('Asia/Dubai'),
  southafricanorth: pub('Africa/Johannesburg'),
  southafricawest: pub('Africa/Johannesburg'),
  // Asia Pacific
  centralindia: pub('Asia/Kolkata'),
  southindia: pub('Asia/Kolkata'),
  westindia: pub('Asia/Kolkata'),
  jioindiawest: pub('Asia/Kolkata'),
  jioindiacentral: pub('Asia/Kolkata'),
  eastasia: pub('Asia/Hong_Kong'),
  southeastasia: pub('Asia/Singapore'),
  japaneast: pub('Asia/Tokyo'),
  japanwest: pub('Asia/Tokyo'),
  koreacentral: pub('Asia/Seoul'),
  koreasouth: pub('Asia/Seoul'),
  australiaeast: pub('Australia/Sydney'),
  australiasoutheast: pub('Australia/Melbourne'),
  australiacentral: pub('Australia/Sydney'),
  australiacentral2: pub('Australia/Sydney'),
  newzealandnorth: pub('Pacific/Auckland'),
  indonesiacentral: pub('Asia/Jakarta'),
  malaysiawest: pub('Asia/Kuala_Lumpur'),
  taiwannorth: pub('Asia/Taipei'),
  taiwannorthwest: pub('Asia/Taipei'),
  // Azure Government
  usgovvirginia: gov('America/New_York'),
  usgovtexas: gov('America/Chicago'),
  usgovarizona: gov('America/Phoenix'),
  usdodeast: gov('America/New_York'),
  usdodcentral: gov('America/Chicago'),
  // Azure operated by 21Vianet
  chinaeast: china('Asia/Shanghai'),
  chinaeast2: china('Asia/Shanghai'),
  chinaeast3: china('Asia/Shanghai'),
  chinanorth: china('Asia/Shanghai'),
  chinanorth2: china('Asia/Shanghai'),
  chinanorth3: china('Asia/Shanghai'),
});

/** `West Europe`, `west-europe` and `westeurope` all name the same region. */
export function normalizeRegion(region: string): string {
  return region.toLowerCase().replace(/[\s_-]+/g, '');
}

/** Facts about a region, or undefined when the table does not know it. */
export function regionInfo(region: string): RegionInfo | undefined {
  const key = normalizeRegion(region);
  // Own entries only: `constructor` is not a region, whatever Object.prototype says.
  return Object.hasOwn(REGIONS, key) ? REGIONS[key] : undefined;
}

/** True when `zone` is a time zone name this runtime's IANA database knows. */
export function isIanaTimeZone(zone: string): boolean {
  if (knownZones.has(zone)) return true;
  if (!/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  knownZones.add(zone);
  return true;
}

/**
 * Zones known to be valid (a few hundred at most): building a formatter to check one is slow, and
 * the first one of a process costs 15-35 ms. The region table's zones and UTC start in it: they
 * are standard IANA names that every ICU build carries, and a test checks each with Intl.
 */
const knownZones = new Set<string>(['Etc/UTC', ...Object.values(REGIONS).map((r) => r.timeZone)]);
