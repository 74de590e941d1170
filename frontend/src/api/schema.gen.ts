/**
 * GENERATED from the OpenAPI document of clinic-server by openapi-typescript: do not edit.
 * Regenerate with `npm run gen:api` (scripts/api-types.mjs); `npm run check:api` fails when it is stale.
 */
export interface paths {
    "/api/v1/appointment-types/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Replace an appointment type. */
        put: operations["update_type"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/appointments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Appointments visible to the caller (a patient: their own; a practitioner: theirs), by (start, id). */
        get: operations["list"];
        put?: never;
        /**
         * Book an appointment. Every rule is checked by the engine; a rejection (409) lists every violated rule and
         *     the nearest alternatives. Send `Idempotency-Key` so a retried booking never books twice.
         */
        post: operations["book"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/appointments/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One appointment, with its version as `ETag`. */
        get: operations["get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/appointments/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel an appointment. */
        post: operations["cancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/appointments/{id}/reschedule": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Move an appointment; atomic (the old slot is released only if the new one is taken). `If-Match` with a
         *     stale version → 412.
         */
        post: operations["reschedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/appointments/{id}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change the status (booked, arrived, fulfilled, noshow; cancelled = cancel). */
        post: operations["change_status"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Exchange a username and password for an access token and a refresh token. */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke a refresh token (and its family). */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's identity. */
        get: operations["me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rotate a refresh token: a new pair; presenting an already rotated token revokes its whole family. */
        post: operations["refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/clinics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Clinics the caller belongs to (all clinics for an unbound admin). */
        get: operations["list_clinics"];
        put?: never;
        /** Create a clinic. */
        post: operations["create_clinic"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/clinics/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One clinic. */
        get: operations["get_clinic"];
        /** Replace a clinic's details. */
        put: operations["update_clinic"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/clinics/{id}/appointment-types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The clinic's appointment types. */
        get: operations["list_types"];
        put?: never;
        /** Add an appointment type. */
        post: operations["create_type"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/clinics/{id}/availability": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Free start times: every offer is bookable at this moment (the same rules as booking). */
        get: operations["availability"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/clinics/{id}/imports/appointments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import appointments (each row is a booking through every rule). */
        post: operations["import_appointments"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/clinics/{id}/imports/patients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import patients from a CSV/XLS/XLSX file. */
        post: operations["import_patients"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/clinics/{id}/patients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Search the clinic's patients. */
        get: operations["search_patients"];
        put?: never;
        /** Register a patient. Send `Idempotency-Key` to make a retry safe. */
        post: operations["register_patient"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/clinics/{id}/practitioners": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The clinic's practitioners. */
        get: operations["list_practitioners"];
        put?: never;
        /** Add a practitioner. */
        post: operations["create_practitioner"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/clinics/{id}/reports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Utilization, no-shows, lead time and cancellations per practitioner and day. */
        get: operations["report"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/clinics/{id}/rooms": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The clinic's rooms. */
        get: operations["list_rooms"];
        put?: never;
        /** Add a room. */
        post: operations["create_room"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/clinics/{id}/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The clinic's schedules the caller may read (a practitioner: their own). */
        get: operations["list_schedules"];
        put?: never;
        /** Add a schedule (a practitioner: only for themselves). */
        post: operations["create_schedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/fhir/Appointment/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** FHIR R4 Appointment. */
        get: operations["fhir_appointment"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/fhir/Patient/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** FHIR R4 Patient. */
        get: operations["fhir_patient"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/fhir/Schedule/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** FHIR R4 Schedule. */
        get: operations["fhir_schedule"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/fhir/Slot": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Free slots as a FHIR R4 searchset Bundle of Slot resources. */
        get: operations["fhir_slots"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/imports/{id}/rejections.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The rejected rows of a recent import of the caller, as CSV (`row,column,code,message,value`). */
        get: operations["rejections_csv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/patients/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One patient (a patient: only themselves; a practitioner: patients they see). */
        get: operations["get_patient"];
        /** Replace a patient's details. */
        put: operations["update_patient"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/patients/{id}/calendar.ics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A patient's appointments as iCalendar. */
        get: operations["patient_ics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/practitioners/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One practitioner. */
        get: operations["get_practitioner"];
        /** Replace a practitioner's details. */
        put: operations["update_practitioner"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/practitioners/{id}/calendar.ics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A practitioner's appointments as iCalendar. */
        get: operations["practitioner_ics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/rooms/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Replace a room. */
        put: operations["update_room"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/schedules/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One schedule. */
        get: operations["get_schedule"];
        /** Replace a schedule (a practitioner: only their own, and only for themselves). */
        put: operations["update_schedule"];
        post?: never;
        /** Delete a schedule. */
        delete: operations["delete_schedule"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The accounts of the admin's clinic (every account for an admin bound to no clinic). */
        get: operations["list_users"];
        put?: never;
        /** Create an account with a role and an initial password. */
        post: operations["create_user"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One account. */
        get: operations["get_user"];
        /**
         * Change an account's role (with the links it needs) and enable or disable it. Disabling also revokes the
         *     account's refresh tokens, so its sessions end when their access tokens expire. An admin cannot demote or
         *     disable itself (the clinic would risk having no admin left).
         */
        put: operations["update_user"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{id}/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set a new password for an account (e.g. one whose owner forgot it); its refresh tokens are revoked. */
        post: operations["reset_password"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/ws": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live schedule changes over WebSocket (JSON text messages, see `LiveMessage`), filtered by what the caller
         *     may read.
         */
        get: operations["ws"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is up (no dependency checked). */
        get: operations["healthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** `GET /metrics`: the Prometheus text exposition. */
        get: operations["exposition"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The store answers; lists every dependency with its state. */
        get: operations["readyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description A postal address; `country` is ISO 3166-1 alpha-2. */
        AddressDto: {
            city: string;
            country: string;
            line1: string;
            line2?: string | null;
            postal_code: string;
            region?: string | null;
        };
        /** @description Schema of the alternatives of a rejected booking (mirrors `clinic_core::Alternatives`). */
        AlternativesDoc: {
            other_practitioners: components["schemas"]["SlotOfferDoc"][];
            same_practitioner: components["schemas"]["SlotOfferDoc"][];
        };
        /** @description Create or replace an appointment type. */
        AppointmentTypeBody: {
            active?: boolean;
            /** Format: int32 */
            buffer_after_minutes?: number;
            /** Format: int32 */
            buffer_before_minutes?: number;
            /**
             * Format: int32
             * @description 1 = individual; more = a group session sharing the identical slot.
             */
            capacity?: number;
            /** Format: int32 */
            duration_minutes: number;
            /** Format: int32 */
            max_horizon_days?: number;
            /** Format: int32 */
            min_notice_minutes?: number;
            name: string;
            /** @description Practitioners offering the type; empty = all. */
            practitioner_ids?: string[];
        };
        /** @description An appointment type. */
        AppointmentTypeView: components["schemas"]["AppointmentTypeBody"] & {
            /** Format: uuid */
            clinic_id: string;
            /** Format: uuid */
            id: string;
        };
        /** @description An appointment. */
        AppointmentView: {
            /** Format: uuid */
            appointment_type_id: string;
            /** Format: uuid */
            clinic_id: string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            end: string;
            history: components["schemas"]["HistoryDto"][];
            /** Format: uuid */
            id: string;
            notes?: string | null;
            overbooked: boolean;
            /** Format: uuid */
            patient_id: string;
            /** Format: uuid */
            practitioner_id: string;
            reason?: string | null;
            /** Format: uuid */
            room_id?: string | null;
            /** Format: date-time */
            start: string;
            status: components["schemas"]["StatusDto"];
            /** Format: date-time */
            updated_at: string;
            /**
             * Format: int64
             * @description Send back as `If-Match` to update.
             */
            version: number;
        };
        /** @description Book an appointment. */
        BookingBody: {
            /** Format: uuid */
            appointment_type_id: string;
            /** Format: uuid */
            clinic_id: string;
            notes?: string | null;
            /** @description Bypass resource conflicts (rule 6; only roles allowed to overbook). */
            overbook?: boolean;
            /** Format: uuid */
            patient_id: string;
            /** Format: uuid */
            practitioner_id: string;
            /** @description Create as `proposed` instead of `booked`. */
            proposed?: boolean;
            reason?: string | null;
            /** Format: uuid */
            room_id?: string | null;
            /**
             * Format: date-time
             * @description RFC 3339 with offset; minute precision.
             */
            start: string;
        };
        /** @description A recurring break on the given weekdays (empty = every day). */
        BreakDto: {
            end: string;
            start: string;
            weekdays?: components["schemas"]["Weekday"][];
        };
        /** @description Cancel an appointment. */
        CancelBody: {
            /** Format: int64 */
            expected_version?: number | null;
            reason?: string | null;
        };
        /** @description Create or replace a clinic. */
        ClinicBody: {
            address?: null | components["schemas"]["AddressDto"];
            closures?: components["schemas"]["ClosureDto"][];
            contact?: components["schemas"]["ContactDto"];
            name: string;
            /** @description IANA time zone, e.g. `Europe/London`. */
            time_zone: string;
        };
        /** @description A clinic. */
        ClinicView: components["schemas"]["ClinicBody"] & {
            /** Format: uuid */
            id: string;
        };
        /** @description A day (or `[start, end)` of a day) the whole clinic is closed, local time. */
        ClosureDto: {
            /** Format: date */
            date: string;
            end?: string | null;
            reason?: string;
            start?: string | null;
        };
        /** @description Phone (any common formatting; stored as E.164) and e-mail (stored lowercased). */
        ContactDto: {
            email?: string | null;
            phone?: string | null;
        };
        /** @description One dependency as readiness reports it. */
        DependencyState: {
            /** Format: int32 */
            consecutive_failures: number;
            /** @description The class of the last failure (`timed out`, `failed`, `breaker open`). */
            last_error?: string | null;
            /** @description `mongodb`, `sqlite`, `smtp`, `webhook` or `oidc_jwks`. */
            name: string;
            /** @description Notifications waiting for this channel (notification channels only). */
            queued?: number | null;
            /** @description Whether the server cannot serve without it. */
            required: boolean;
            /**
             * Format: int64
             * @description Seconds in the current state.
             */
            since_s: number;
            /** @description `up`, `down` (calls fail at once) or `recovering` (the next call is a trial). */
            state: string;
        };
        /** @description A dated change to the regular hours. */
        ExceptionDto: {
            /** Format: date */
            date: string;
            end?: string | null;
            kind: components["schemas"]["ExceptionKindDto"];
            reason?: string;
            start?: string | null;
        };
        /**
         * @description `extra` hours or an `absence` on one date.
         * @enum {string}
         */
        ExceptionKindDto: "extra" | "absence";
        /** @description Schema of one field error (mirrors `clinic_core::FieldError`). */
        FieldErrorDoc: {
            code: string;
            /** @description Where in the input, e.g. `contact.phone`. */
            field: string;
            message: string;
        };
        /** @description Liveness and readiness answer. */
        Health: {
            /** @description Readiness only: every dependency and its state. */
            dependencies?: components["schemas"]["DependencyState"][] | null;
            /** @description `ok`; for readiness also `degraded` (an optional dependency is down) or `unavailable` (the store is). */
            status: string;
            /** @description `sqlite` or `mongodb`. */
            store?: string | null;
        };
        /** @description One entry of an appointment's history. */
        HistoryDto: {
            /** Format: date-time */
            at: string;
            /** Format: date-time */
            from_start?: string | null;
            from_status?: null | components["schemas"]["StatusDto"];
            /** @description `rescheduled` or `status_changed`. */
            kind: string;
            /** Format: date-time */
            to_start?: string | null;
            to_status?: null | components["schemas"]["StatusDto"];
        };
        /** @description An external identifier (FHIR Identifier). */
        IdentifierDto: {
            system: string;
            value: string;
        };
        /** @description The multipart form of an import. */
        ImportForm: {
            /** @description `day_first` (default) or `month_first` for dates like 01/02/1980. */
            date_order?: string | null;
            /** @description ISO region for phones without `+country`. */
            default_region?: string | null;
            /**
             * Format: binary
             * @description The CSV, XLS or XLSX file.
             */
            file: string;
            /** @description `dry_run` (default), `atomic` or `partial`. */
            mode?: string | null;
        };
        /** @description What an import did. */
        ImportResult: {
            accepted_ids: string[];
            committed: boolean;
            /**
             * Format: uuid
             * @description Download the rejections as CSV at `/api/v1/imports/{import_id}/rejections.csv`.
             */
            import_id: string;
            /** @description `dry_run`, `atomic` or `partial`. */
            mode: string;
            rejected_rows: number;
            rejections: components["schemas"]["RejectionDoc"][];
            rows: number;
            stored: number;
            valid: number;
        };
        /** @description What a client receives: one JSON text message per visible change. */
        LiveMessage: {
            appointment?: null | components["schemas"]["AppointmentView"];
            /** Format: uuid */
            clinic_id?: string | null;
            /** Format: uuid */
            patient_id?: string | null;
            /**
             * Format: int64
             * @description The feed's sequence number (increasing; a gap means events the caller may not see).
             */
            seq: number;
            /**
             * @description `AppointmentBooked`, `AppointmentRescheduled`, `AppointmentCancelled`, `AppointmentStatusChanged`,
             *     `PatientRegistered`, `PatientUpdated`, `ImportCompleted`, or `Lagged` (some events were dropped
             *     because the client read too slowly: refetch).
             */
            type: string;
        };
        /** @description Username and password. */
        LoginBody: {
            password: string;
            username: string;
        };
        /** @description Who the bearer of an access token is. */
        Me: {
            /** Format: uuid */
            clinic_id?: string | null;
            /** Format: uuid */
            patient_id?: string | null;
            /** Format: uuid */
            practitioner_id?: string | null;
            /** @description `admin`, `scheduler`, `practitioner` or `patient`. */
            role: string;
            /** Format: uuid */
            user_id?: string | null;
        };
        /** @description A new account. The clinic defaults to the admin's own. */
        NewUserBody: {
            /** Format: uuid */
            clinic_id?: string | null;
            /** @description At least 8 characters. */
            password: string;
            /**
             * Format: uuid
             * @description Required for role `patient`, refused for the others.
             */
            patient_id?: string | null;
            /**
             * Format: uuid
             * @description Required for role `practitioner`, refused for the others.
             */
            practitioner_id?: string | null;
            role: components["schemas"]["RoleName"];
            /** @description 1–64 letters, digits and `._@-`; unique regardless of case. */
            username: string;
        };
        /** @description A page of results with the cursor of the next page (absent on the last page). */
        Page_AppointmentView: {
            items: {
                /** Format: uuid */
                appointment_type_id: string;
                /** Format: uuid */
                clinic_id: string;
                /** Format: date-time */
                created_at: string;
                /** Format: date-time */
                end: string;
                history: components["schemas"]["HistoryDto"][];
                /** Format: uuid */
                id: string;
                notes?: string | null;
                overbooked: boolean;
                /** Format: uuid */
                patient_id: string;
                /** Format: uuid */
                practitioner_id: string;
                reason?: string | null;
                /** Format: uuid */
                room_id?: string | null;
                /** Format: date-time */
                start: string;
                status: components["schemas"]["StatusDto"];
                /** Format: date-time */
                updated_at: string;
                /**
                 * Format: int64
                 * @description Send back as `If-Match` to update.
                 */
                version: number;
            }[];
            /** @description Pass as `cursor` to get the next page. */
            next_cursor?: string | null;
        };
        /** @description A page of results with the cursor of the next page (absent on the last page). */
        Page_PatientView: {
            items: (components["schemas"]["PatientBody"] & {
                /** Format: uuid */
                clinic_id: string;
                /** Format: uuid */
                id: string;
            })[];
            /** @description Pass as `cursor` to get the next page. */
            next_cursor?: string | null;
        };
        /** @description A new password set by an admin. */
        PasswordBody: {
            /** @description At least 8 characters. */
            password: string;
        };
        /** @description Register or update a patient. */
        PatientBody: {
            address?: null | components["schemas"]["AddressDto"];
            contact?: components["schemas"]["ContactDto"];
            /** Format: date */
            date_of_birth?: string | null;
            family_name: string;
            given_name: string;
            identifiers?: components["schemas"]["IdentifierDto"][];
            /** @description Medical record number, unique per clinic. */
            mrn?: string | null;
            sex?: components["schemas"]["SexDto"];
        };
        /** @description A patient. */
        PatientView: components["schemas"]["PatientBody"] & {
            /** Format: uuid */
            clinic_id: string;
            /** Format: uuid */
            id: string;
        };
        /** @description Create or replace a practitioner. */
        PractitionerBody: {
            active?: boolean;
            contact?: components["schemas"]["ContactDto"];
            name: string;
        };
        /** @description A practitioner. */
        PractitionerView: components["schemas"]["PractitionerBody"] & {
            /** Format: uuid */
            clinic_id: string;
            /** Format: uuid */
            id: string;
        };
        /** @description The problem document (RFC 9457) with the extension members every error of this API carries. */
        Problem: {
            alternatives?: null | components["schemas"]["AlternativesDoc"];
            /** @description The stable machine code: one of the engine's `ErrorCode`s or a transport code of the server. */
            code: string;
            /** @description Every code the error carries (all field errors, all violated booking rules). */
            codes: string[];
            /** @description With `DEPENDENCY_UNAVAILABLE`: which dependency is down (`mongodb`, `oidc_jwks`, …). */
            dependency?: string | null;
            detail: string;
            /** @description Field-level problems of invalid input. */
            errors?: components["schemas"]["FieldErrorDoc"][];
            /** Format: int32 */
            status: number;
            title: string;
            /** @description A URI naming the kind of problem (`urn:clinic:problem:<code>`). */
            type: string;
            /** @description Every booking rule a rejected booking broke. */
            violations?: components["schemas"]["ViolationDoc"][];
        };
        /** @description Hours by RFC 5545 RRULE: each occurrence opens `duration_minutes` at `start` local time. */
        RecurrenceDto: {
            /** Format: int32 */
            duration_minutes: number;
            rrule: string;
            start: string;
        };
        /** @description A refresh token to rotate or revoke. */
        RefreshBody: {
            refresh_token: string;
        };
        /** @description One rejected row problem. */
        RejectionDoc: {
            code: string;
            column: string;
            message: string;
            /** Format: int64 */
            row: number;
            value: string;
        };
        /** @description Move an appointment. The version comes from `If-Match` (or `expected_version`). */
        RescheduleBody: {
            /** Format: int64 */
            expected_version?: number | null;
            overbook?: boolean;
            /** Format: uuid */
            practitioner_id?: string | null;
            /**
             * Format: uuid
             * @description Absent = keep the room; `null` = remove it.
             */
            room_id?: string | null;
            /** Format: date-time */
            start: string;
        };
        /** @description Which resource a schedule describes. */
        ResourceDto: {
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            kind: "practitioner";
        } | {
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            kind: "room";
        };
        /**
         * @description A role, as the API names it.
         * @enum {string}
         */
        RoleName: "admin" | "scheduler" | "practitioner" | "patient";
        /** @description Create or replace a room. */
        RoomBody: {
            active?: boolean;
            name: string;
        };
        /** @description A room. */
        RoomView: components["schemas"]["RoomBody"] & {
            /** Format: uuid */
            clinic_id: string;
            /** Format: uuid */
            id: string;
        };
        /** @description Create or replace a schedule. */
        ScheduleBody: {
            breaks?: components["schemas"]["BreakDto"][];
            exceptions?: components["schemas"]["ExceptionDto"][];
            /** Format: int32 */
            granularity_minutes?: number;
            recurrences?: components["schemas"]["RecurrenceDto"][];
            resource: components["schemas"]["ResourceDto"];
            /** Format: date */
            valid_from: string;
            /** Format: date */
            valid_until?: string | null;
            weekly_hours?: components["schemas"]["WeeklyHoursDto"][];
        };
        /** @description A schedule. */
        ScheduleView: components["schemas"]["ScheduleBody"] & {
            /** Format: uuid */
            clinic_id: string;
            /** Format: uuid */
            id: string;
        };
        /**
         * @description Administrative sex (FHIR AdministrativeGender).
         * @enum {string}
         */
        SexDto: "female" | "male" | "other" | "unknown";
        /** @description Schema of a free slot offer (mirrors `clinic_core::SlotOffer`). */
        SlotOfferDoc: {
            /** Format: date-time */
            end: string;
            /** Format: uuid */
            practitioner_id: string;
            /** Format: date-time */
            start: string;
        };
        /** @description Move an appointment through the status machine. */
        StatusBody: {
            /** Format: int64 */
            expected_version?: number | null;
            status: components["schemas"]["StatusDto"];
        };
        /**
         * @description An appointment's status.
         * @enum {string}
         */
        StatusDto: "proposed" | "booked" | "arrived" | "fulfilled" | "cancelled" | "noshow";
        /** @description An access + refresh token pair, the body of login and refresh. */
        TokenPair: {
            access_token: string;
            /**
             * Format: int64
             * @description Seconds until the access token expires.
             */
            expires_in: number;
            refresh_token: string;
            /** @description Always `Bearer`. */
            token_type: string;
        };
        /** @description An account's role, links and whether it is disabled (the whole state an admin may change). */
        UserUpdateBody: {
            disabled?: boolean;
            /** Format: uuid */
            patient_id?: string | null;
            /** Format: uuid */
            practitioner_id?: string | null;
            role: components["schemas"]["RoleName"];
        };
        /** @description An account without its password hash. */
        UserView: {
            /** Format: uuid */
            clinic_id?: string | null;
            /** Format: date-time */
            created_at: string;
            /** @description A disabled account cannot sign in or refresh its tokens. */
            disabled: boolean;
            /** Format: uuid */
            id: string;
            /**
             * Format: uuid
             * @description For role `patient`: the patient this user is.
             */
            patient_id?: string | null;
            /**
             * Format: uuid
             * @description For role `practitioner`: the practitioner this user is.
             */
            practitioner_id?: string | null;
            role: components["schemas"]["RoleName"];
            username: string;
        };
        /** @description Schema of one violated booking rule (mirrors `clinic_core::Violation`). */
        ViolationDoc: {
            code: string;
            /** @description Appointments the booking collides with. */
            conflicting: string[];
            message: string;
        };
        /**
         * @description A day of the week.
         * @enum {string}
         */
        Weekday: "Mon" | "Tue" | "Wed" | "Thu" | "Fri" | "Sat" | "Sun";
        /** @description Opening hours on one weekday, local time `[start, end)`. */
        WeeklyHoursDto: {
            end: string;
            start: string;
            weekday: components["schemas"]["Weekday"];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    update_type: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AppointmentTypeBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AppointmentTypeView"];
                };
            };
        };
    };
    list: {
        parameters: {
            query?: {
                /** @description Defaults to the caller's clinic. */
                clinic_id?: string;
                cursor?: string;
                /** @description Appointments overlapping `[from, to)` (RFC 3339); at most 400 days. */
                from?: string;
                limit?: number;
                patient_id?: string;
                practitioner_id?: string;
                room_id?: string;
                /** @description Comma-separated statuses (`booked,arrived`). */
                status?: string;
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_AppointmentView"];
                };
            };
        };
    };
    book: {
        parameters: {
            query?: never;
            header?: {
                /** @description replays the first answer on retry */
                "Idempotency-Key"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BookingBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            201: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AppointmentView"];
                };
            };
        };
    };
    get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AppointmentView"];
                };
            };
        };
    };
    cancel: {
        parameters: {
            query?: never;
            header?: {
                /** @description the ETag last seen */
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CancelBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AppointmentView"];
                };
            };
        };
    };
    reschedule: {
        parameters: {
            query?: never;
            header?: {
                /** @description the ETag last seen */
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RescheduleBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AppointmentView"];
                };
            };
        };
    };
    change_status: {
        parameters: {
            query?: never;
            header?: {
                /** @description the ETag last seen */
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StatusBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AppointmentView"];
                };
            };
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenPair"];
                };
            };
            /** @description too many attempts */
            429: {
                headers: {
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RefreshBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description logged out */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
        };
    };
    refresh: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RefreshBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenPair"];
                };
            };
            /** @description too many attempts */
            429: {
                headers: {
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    list_clinics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ClinicView"][];
                };
            };
        };
    };
    create_clinic: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ClinicBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ClinicView"];
                };
            };
        };
    };
    get_clinic: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ClinicView"];
                };
            };
        };
    };
    update_clinic: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ClinicBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ClinicView"];
                };
            };
        };
    };
    list_types: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AppointmentTypeView"][];
                };
            };
        };
    };
    create_type: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AppointmentTypeBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AppointmentTypeView"];
                };
            };
        };
    };
    availability: {
        parameters: {
            query: {
                appointment_type_id: string;
                from: string;
                /** @description At most this many offers (the earliest). */
                limit?: number;
                /** @description Also apply the patient's own appointments (rule 2). */
                patient_id?: string;
                /** @description Comma-separated practitioner ids; absent = everyone offering the type. */
                practitioner_ids?: string;
                room_id?: string;
                to: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SlotOfferDoc"][];
                };
            };
        };
    };
    import_appointments: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["ImportForm"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportResult"];
                };
            };
        };
    };
    import_patients: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["ImportForm"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportResult"];
                };
            };
        };
    };
    search_patients: {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Page size (1–500, default 50). */
                limit?: number;
                /** @description Exact medical record number. */
                mrn?: string;
                /** @description Case-insensitive prefix of the given or family name. */
                name?: string;
                /** @description A phone number in any common formatting (compared as E.164). */
                phone?: string;
                /** @description Region for a phone written without `+country` (ISO 3166-1 alpha-2). */
                region?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_PatientView"];
                };
            };
        };
    };
    register_patient: {
        parameters: {
            query?: never;
            header?: {
                /** @description replays the first answer on retry */
                "Idempotency-Key"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PatientBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PatientView"];
                };
            };
        };
    };
    list_practitioners: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PractitionerView"][];
                };
            };
        };
    };
    create_practitioner: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PractitionerBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PractitionerView"];
                };
            };
        };
    };
    report: {
        parameters: {
            query: {
                /** @description `json` (default), `csv` or `pdf`. */
                format?: string;
                /** @description First clinic-local date (inclusive). */
                from: string;
                /** @description Comma-separated practitioner ids; absent = all (a practitioner: themselves). */
                practitioner_ids?: string;
                /** @description Date after the last one (exclusive); at most 366 days after `from`. */
                to: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the report */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                    "application/pdf": number[];
                    "text/csv": string;
                };
            };
        };
    };
    list_rooms: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoomView"][];
                };
            };
        };
    };
    create_room: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RoomBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoomView"];
                };
            };
        };
    };
    list_schedules: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduleView"][];
                };
            };
        };
    };
    create_schedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ScheduleBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduleView"];
                };
            };
        };
    };
    fhir_appointment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description FHIR R4 Appointment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/fhir+json": Record<string, never>;
                };
            };
        };
    };
    fhir_patient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description FHIR R4 Patient */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/fhir+json": Record<string, never>;
                };
            };
        };
    };
    fhir_schedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description FHIR R4 Schedule */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/fhir+json": Record<string, never>;
                };
            };
        };
    };
    fhir_slots: {
        parameters: {
            query: {
                appointment_type_id: string;
                clinic_id: string;
                from: string;
                practitioner_id?: string;
                to: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description FHIR R4 Bundle of Slot */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/fhir+json": Record<string, never>;
                };
            };
        };
    };
    rejections_csv: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSV */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
        };
    };
    get_patient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PatientView"];
                };
            };
        };
    };
    update_patient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PatientBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PatientView"];
                };
            };
        };
    };
    patient_ics: {
        parameters: {
            query: {
                from: string;
                /** @description Put patient names in the summaries (needs access to those patients). */
                patient_names?: boolean;
                to: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description iCalendar */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/calendar": string;
                };
            };
        };
    };
    get_practitioner: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PractitionerView"];
                };
            };
        };
    };
    update_practitioner: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PractitionerBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PractitionerView"];
                };
            };
        };
    };
    practitioner_ics: {
        parameters: {
            query: {
                from: string;
                /** @description Put patient names in the summaries (needs access to those patients). */
                patient_names?: boolean;
                to: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description iCalendar */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/calendar": string;
                };
            };
        };
    };
    update_room: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RoomBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoomView"];
                };
            };
        };
    };
    get_schedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduleView"];
                };
            };
        };
    };
    update_schedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ScheduleBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduleView"];
                };
            };
        };
    };
    delete_schedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    list_users: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"][];
                };
            };
        };
    };
    create_user: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewUserBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            /** @description the username is taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    get_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
        };
    };
    update_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserUpdateBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
        };
    };
    reset_password: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PasswordBody"];
            };
        };
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the password is changed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ws: {
        parameters: {
            query?: {
                /** @description The access token, when the client cannot send `Authorization: Bearer`. */
                access_token?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            "5XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description switching to WebSocket; then one `LiveMessage` per visible change */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    healthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    exposition: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the router's own refusals (wrong method, body limit) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Prometheus text exposition format 0.0.4 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
    readyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ready (`ok`, or `degraded` when an optional dependency is down) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description the store is unreachable; `dependencies` says which is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
}
