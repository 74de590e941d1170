//! Schema migrations, versioned in code and applied on open through `PRAGMA user_version`.
//!
//! Each entry upgrades the file from version `i` to `i + 1`. A file from an older build upgrades in place; a
//! file written by a newer build (a higher `user_version`) is refused rather than misread.

/// Migration `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: entities as JSON documents plus the columns the hot queries need.
    r#"
    CREATE TABLE clinics (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
    CREATE TABLE practitioners (id TEXT PRIMARY KEY, clinic_id TEXT NOT NULL, doc TEXT NOT NULL);
    CREATE INDEX practitioners_by_clinic ON practitioners (clinic_id);
    CREATE TABLE rooms (id TEXT PRIMARY KEY, clinic_id TEXT NOT NULL, doc TEXT NOT NULL);
    CREATE INDEX rooms_by_clinic ON rooms (clinic_id);
    CREATE TABLE appointment_types (id TEXT PRIMARY KEY, clinic_id TEXT NOT NULL, doc TEXT NOT NULL);
    CREATE INDEX appointment_types_by_clinic ON appointment_types (clinic_id);
    CREATE TABLE schedules (id TEXT PRIMARY KEY, clinic_id TEXT NOT NULL, doc TEXT NOT NULL);
    CREATE INDEX schedules_by_clinic ON schedules (clinic_id);
    CREATE TABLE patients (
        id TEXT PRIMARY KEY,
        clinic_id TEXT NOT NULL,
        mrn TEXT,
        given_lc TEXT NOT NULL,
        family_lc TEXT NOT NULL,
        full_lc TEXT NOT NULL,
        phone TEXT,
        email TEXT,
        date_of_birth TEXT,
        doc TEXT NOT NULL
    );
    CREATE UNIQUE INDEX patients_mrn ON patients (clinic_id, mrn) WHERE mrn IS NOT NULL;
    CREATE INDEX patients_given ON patients (clinic_id, given_lc);
    CREATE INDEX patients_family ON patients (clinic_id, family_lc);
    CREATE INDEX patients_full ON patients (clinic_id, full_lc);
    CREATE INDEX patients_phone ON patients (phone) WHERE phone IS NOT NULL;
    CREATE INDEX patients_email ON patients (email) WHERE email IS NOT NULL;
    CREATE TABLE appointments (
        id TEXT PRIMARY KEY,
        clinic_id TEXT NOT NULL,
        practitioner_id TEXT NOT NULL,
        room_id TEXT,
        patient_id TEXT NOT NULL,
        start_min INTEGER NOT NULL,
        end_min INTEGER NOT NULL,
        status TEXT NOT NULL,
        version INTEGER NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE INDEX appointments_by_practitioner ON appointments (practitioner_id, start_min);
    CREATE INDEX appointments_by_patient ON appointments (patient_id, start_min);
    CREATE INDEX appointments_by_room ON appointments (room_id, start_min) WHERE room_id IS NOT NULL;
    CREATE INDEX appointments_by_clinic ON appointments (clinic_id, start_min);
    CREATE TABLE guards (key TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
    "#,
    // 2: reports and dashboards list a clinic's appointments by status over a range.
    r#"
    CREATE INDEX appointments_by_clinic_status ON appointments (clinic_id, status, start_min);
    "#,
    // 3: data protection at rest (clinic-protect). A sealed patient keeps its PHI encrypted in `doc`, NULL in the
    // plaintext columns, the key that sealed it in `kid` and keyed blind indexes for exact-match search; a row
    // from before encryption has `kid` NULL until `keys rotate` seals it.
    r#"
    ALTER TABLE patients ADD COLUMN kid TEXT;
    ALTER TABLE patients ADD COLUMN mrn_bidx TEXT;
    ALTER TABLE patients ADD COLUMN phone_bidx TEXT;
    ALTER TABLE patients ADD COLUMN email_bidx TEXT;
    ALTER TABLE patients ADD COLUMN dob_bidx TEXT;
    CREATE UNIQUE INDEX patients_mrn_bidx ON patients (clinic_id, mrn_bidx) WHERE mrn_bidx IS NOT NULL;
    CREATE INDEX patients_phone_bidx ON patients (phone_bidx) WHERE phone_bidx IS NOT NULL;
    CREATE INDEX patients_email_bidx ON patients (email_bidx) WHERE email_bidx IS NOT NULL;
    CREATE INDEX patients_dob_bidx ON patients (dob_bidx) WHERE dob_bidx IS NOT NULL;
    CREATE INDEX patients_by_kid ON patients (kid);
    "#,
];

/// The schema version this build writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}
