"""Persistence and file formats: database, migrations, queries into scoring inputs, workbook, exports, backup."""
