"""Importing class-register exports (shared/specs/school-data-v1.md).

Entry points are in :mod:`kopiena.schooldata.importing.api`; the command
``import_school_data`` and the web upload flow both call them.

Modules: ``columns`` (the spec's column tables), ``reading`` (CSV / XLSX rows, streamed),
``validators`` (one value at a time), ``issues`` (errors and warnings), ``context`` (schools,
permissions, enrolled pupils, marks), ``tracking`` (keys already seen), ``kinds`` (what every
kind shares), one module per kind (``kind_pupils``, ``kind_attendance``, ``kind_records``),
``spool`` (validated records kept on disk), ``upsert`` (writing chunks), ``apply`` (the passes,
chunks, progress, cancellation, the transaction).
"""
