"""Exports of the year's results, from the engine's results frame (the columns of interfaces.md).

records     result rows as records, JSON (orjson) and CSV (csv.writer); safe_text
files       XLSX cell and table writers; the results file 考核结果
award_book  the four-sheet award workbook for printing
"""
