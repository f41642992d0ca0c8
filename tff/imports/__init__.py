"""Imports: the CSV files of `data-formats.md`, read by a background job.

The raw file is kept in the database in chunks (so a worker on another machine can read
it, and it can be downloaded later). The job checks the file as a whole, then every row
(progress visible), then applies the accepted rows and stores the rejected ones in one
transaction: a job that dies halfway leaves nothing half done. Each format is an entry in
`tff.imports.kinds.FORMATS`.
"""
