import { BadRequestException } from '@nestjs/common';
import { csvOfRequest, readCsv } from './csv';

describe('csv', () => {
  it("reads a request's body once: the guard's and the handler's parse are the same", () => {
    const req = { body: '\ufeff a , b \n1,2\n\n3,4\n' };
    const first = csvOfRequest(req);
    expect(first).toEqual({
      header: ['a', 'b'],
      records: [
        { a: '1', b: '2' },
        { a: '3', b: '4' },
      ],
    });
    expect(csvOfRequest(req)).toBe(first);
    expect(csvOfRequest({ body: req.body })).not.toBe(first);
    expect(readCsv(first, ['a'])).toBe(first.records);
  });

  it('answers a body it cannot read with the same 400 every time it is asked', () => {
    const req = { body: 'a,b\n"1,2\n' };
    expect(() => csvOfRequest(req)).toThrow(/cannot read the CSV/);
    expect(() => csvOfRequest(req)).toThrow(BadRequestException);
    expect(() => readCsv(req.body, ['a'])).toThrow(/cannot read the CSV/);
  });

  it.each([
    ['a,b\n', [], /has no rows/],
    ['a,b,a\n1,2,3\n', [], /columns a more than once/],
    ['a,b\n1,2\n', ['a', 'c'], /lacks the columns c/],
  ])('refuses %j (a string or its parse alike)', (body, required, message) => {
    expect(() => readCsv(body, required)).toThrow(message);
    expect(() => readCsv(csvOfRequest({ body }), required)).toThrow(message);
  });
});
